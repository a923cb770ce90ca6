import { Code, ConnectError } from "@connectrpc/connect";
import { describeError } from "@imagegen/errors";
import { describe, expect, it } from "vitest";
import { fromPostgresError, isPostgresUnreachable } from "./postgres-errors.ts";

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("PostgreSQL errors", () => {
  it.each([
    ["a refused connection", withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED")],
    ["a reset socket", withCode("read ECONNRESET", "ECONNRESET")],
    ["a server shutting down (57P01)", withCode("terminating connection due to administrator command", "57P01")],
    ["a server starting up (57P03)", withCode("the database system is starting up", "57P03")],
    ["a connection exception (08006)", withCode("connection failure", "08006")],
    ["a lost connection", new Error("Connection terminated unexpectedly")],
    ["a pool that could not connect in time", new Error("timeout exceeded when trying to connect")],
    ["a server that took a query and stopped answering", new Error("Query read timeout")],
  ])("%s is the state store being unavailable", (_name, error) => {
    expect(isPostgresUnreachable(error)).toBe(true);
    const mapped = fromPostgresError(error);
    expect(mapped).toBeInstanceOf(ConnectError);
    expect((mapped as ConnectError).code).toBe(Code.Unavailable);
    expect(describeError(mapped)).toMatchObject({
      row: { name: "UNAVAILABLE", httpStatus: 503 },
      message: "the state store (PostgreSQL) is unavailable; retry shortly",
      retryAfterSeconds: 1,
    });
  });

  it.each([
    ["a unique violation (23505)", withCode("duplicate key value violates unique constraint", "23505")],
    ["a syntax error (42601)", withCode("syntax error at or near", "42601")],
    ["a bug of ours", new TypeError("Cannot read properties of undefined")],
  ])("%s stays as thrown (INTERNAL)", (_name, error) => {
    expect(isPostgresUnreachable(error)).toBe(false);
    expect(fromPostgresError(error)).toBe(error);
  });
});
