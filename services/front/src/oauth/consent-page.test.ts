import { describe, expect, it } from "vitest";
import { consentPageHtml, errorPageHtml } from "./consent-page.ts";

describe("the consent page", () => {
  it("shows the app, the scopes in words, a password field and Allow / Deny, posting back to its interaction", () => {
    const html = consentPageHtml({ uid: "uid_1", appName: "Sketchbook", scopes: ["images:generate", "profile:read"] });
    expect(html).toContain("<h1>Authorize Sketchbook</h1>");
    expect(html).toContain("Generate and process images");
    expect(html).toContain("See your profile and usage");
    expect(html).toContain('<input id="api_key" name="api_key" type="password" autocomplete="off">');
    expect(html).toContain('<form method="post" action="/oauth/consent/uid_1">');
    expect(html).toMatch(/<button type="submit" name="decision" value="allow">Allow<\/button>/);
    expect(html).toMatch(/<button type="submit" name="decision" value="deny">Deny<\/button>/);
  });

  it("escapes what an app chose (its name) and what a request carried", () => {
    const html = consentPageHtml({
      uid: 'u"><script>',
      appName: "<img src=x onerror=alert(1)>",
      scopes: ["<b>"],
      problem: "<i>",
    });
    expect(html).not.toMatch(/<img|<script>|<b>|<i>/);
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(errorPageHtml("<x>", "<y>")).not.toMatch(/<x>|<y>/);
  });
});
