/**
 * /playground: a chat-like page in the spirit of seed 003's flow — pick a model, write a
 * prompt (optionally attach an image), watch the generation, see thumbnails, ask for
 * variations of one. The API key is typed here and kept in memory only.
 */
export function playgroundPageHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>imagegen playground</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; background: #f8fafc; color: #0f172a; }
  header { display: flex; gap: 1rem; align-items: center; padding: .6rem 1rem; background: #111827; color: #e5e7eb; }
  header a { color: #93c5fd; }
  main { max-width: 60rem; margin: 1rem auto; padding: 0 1rem; }
  form { display: grid; gap: .5rem; background: white; padding: 1rem; border-radius: .5rem; box-shadow: 0 1px 3px #0002; }
  label { font-size: .85rem; color: #475569; display: grid; gap: .2rem; }
  textarea { min-height: 4rem; }
  .row { display: flex; gap: .5rem; flex-wrap: wrap; align-items: end; }
  .turn { background: white; margin: 1rem 0; padding: .8rem 1rem; border-radius: .5rem; box-shadow: 0 1px 3px #0002; }
  .ask { font-weight: 600; margin: 0 0 .4rem; }
  .status { font-size: .85rem; color: #475569; margin: .2rem 0; }
  .status.error { color: #b91c1c; }
  progress { width: 100%; }
  .thumbnails { display: flex; gap: .6rem; flex-wrap: wrap; }
  figure { margin: 0; display: grid; gap: .3rem; justify-items: center; }
  figure img { border-radius: .3rem; background: #e2e8f0; }
  #notice { color: #b91c1c; }
</style>
</head>
<body>
<header><strong>imagegen playground</strong><a href="/docs">API reference</a><a href="/docs/guides">Guides</a></header>
<main>
<form id="composer" autocomplete="off">
  <div class="row">
    <label>API key (kept in this page only)<input id="api-key" type="password" size="32" placeholder="paste a key, then Tab"></label>
    <label>Model<select id="model"><option value="">enter a key to list models</option></select></label>
  </div>
  <label>Prompt<textarea id="prompt" maxlength="1000" placeholder="A serene Japanese garden with cherry blossoms"></textarea></label>
  <div class="row">
    <label>Image (optional: image-to-image)<input id="image" type="file" accept="image/png,image/jpeg,image/webp"></label>
    <button id="generate" type="submit">Generate</button>
  </div>
  <p id="notice" role="alert"></p>
</form>
<section id="conversation" aria-live="polite"></section>
</main>
<script type="module" src="/playground/app.js"></script>
</body>
</html>
`;
}
