// Unit tests of the access token's claims and renewal time: `node --test static/js/tests/`.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { decodeJwtPayload, refreshAt } from "../token.js";
import { jwt } from "./fakes.mjs";

describe("decodeJwtPayload", () => {
  test("reads the claims of a token, base64url and UTF-8 included", () => {
    const payload = { exp: 1700000000, iat: 1699996400, sid: "abc", name: "Zoë ~~??>>" };
    assert.deepEqual(decodeJwtPayload(jwt(payload)), payload);
  });

  test("returns null for anything that is not a JWT", () => {
    for (const bad of [null, undefined, "", "a.b", "a.b.c.d", "x.%%%.y", `x.${btoa("[1,")}.y`]) {
      assert.equal(decodeJwtPayload(bad), null, String(bad));
    }
  });
});

describe("refresh timing", () => {
  test("refreshes a fifth of the lifetime before exp, within 1 s and 60 s of margin", () => {
    assert.equal(refreshAt({ exp: 3600, iat: 0 }), 3600_000 - 60_000); // 1 h token: 60 s early
    assert.equal(refreshAt({ exp: 100, iat: 0 }), 100_000 - 20_000); // 100 s token: 20 s early
    assert.equal(refreshAt({ exp: 6, iat: 0 }), 6000 - 1200); // 6 s token: 1.2 s early
    assert.equal(refreshAt({ exp: 2, iat: 0 }), 2000 - 1000);
  });

  test("is corrected for skew", () => {
    // The server runs 10 s ahead: its exp comes 10 s earlier on our clock.
    assert.equal(refreshAt({ exp: 3600, iat: 0, skewMs: 10_000 }), 3600_000 - 60_000 - 10_000);
  });

  test("a token without exp is never scheduled", () => {
    assert.equal(refreshAt({}), null);
  });
});

