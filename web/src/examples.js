// The examples menu: copies of the repository's examples and test data (web/examples/), and the
// documentation's own mistakes. Each example is a complete page state (see state.js).

import cockroachMap from "../examples/cockroach.map";
import cockroachDocs from "../examples/cockroach-docs.sql";
import pgIdent from "../examples/pg_ident.conf";
import roles from "../examples/roles.json";
import googleSql from "../examples/google.sql";
import googleToken from "../examples/google.token";
import jwks from "../examples/jwks.json";

const googleMap = String.raw`https://accounts.google.com /^(.*)@example\.com$ \1` + "\n";

export const EXAMPLES = [
  {
    id: "cockroach",
    title: "CockroachDB: an identity map (examples/cockroach.map)",
    state: {
      dialect: "cockroach",
      rules: cockroachMap,
      issuer: "https://idp.example.com",
      identities: ["alice@example.com"],
    },
  },
  {
    id: "google-sso",
    title: "CockroachDB SSO: a signed Google token, allowed",
    state: {
      dialect: "cockroach",
      rules: googleMap,
      settings: googleSql,
      token: googleToken.trim(),
      jwks,
      user: "carl",
      issuer: "https://accounts.google.com",
      identities: ["Carl@Example.com"],
    },
  },
  {
    id: "docs-range",
    title: "Mistake from the docs: the backwards range [9-0]",
    state: {
      dialect: "cockroach",
      rules: String.raw`https://accounts.google.com /^([9-0]*)$ \1` + "\nhttps://accounts.google.com carl@cockroachlabs.com carl\n",
      settings: cockroachDocs,
      issuer: "https://accounts.google.com",
      identities: ["carl@cockroachlabs.com"],
    },
  },
  {
    id: "docs-unanchored",
    title: "Mistake from the docs: an unanchored regex with an unescaped dot",
    state: {
      dialect: "cockroach",
      rules: String.raw`https://accounts.google.com /(.*)@cockroachlabs.com \1` + "\n",
      issuer: "https://accounts.google.com",
      identities: ["carl@cockroachlabsXcom.evil.example"],
    },
  },
  {
    id: "trailing-slash",
    title: "Mistake: an issuer with a trailing slash (token denied)",
    state: {
      dialect: "cockroach",
      rules: String.raw`https://accounts.google.com/ /^(.*)@example\.com$ \1` + "\n",
      settings: googleSql.replace(
        "issuers.configuration = 'https://accounts.google.com'",
        "issuers.configuration = 'https://accounts.google.com/'",
      ),
      token: googleToken.trim(),
      jwks,
      user: "carl",
      issuer: "https://accounts.google.com/",
      identities: ["Carl@Example.com"],
    },
  },
  {
    id: "postgres",
    title: "PostgreSQL: pg_ident.conf with a role graph",
    state: {
      dialect: "postgres",
      pg: 16,
      case: "sensitive",
      rules: pgIdent,
      roles,
      issuer: "certmap",
      identities: ["carol@example.com"],
      user: "carol",
    },
  },
  {
    id: "postgres-include",
    title: "PostgreSQL: include and @file",
    state: {
      dialect: "postgres",
      pg: 16,
      case: "sensitive",
      rules: "# the main file includes another one\ninclude partners.conf\ncertmap  @admins.txt  admin\n",
      files: [
        ["partners.conf", String.raw`certmap  /^(.*)@partner\.example$  \1` + "\n"],
        ["admins.txt", "ops@example.com\n"],
      ],
      issuer: "certmap",
      identities: ["dana@partner.example"],
      user: "dana",
    },
  },
];
