-- The identity-map examples of CockroachDB's cluster-SSO documentation, as an admin would paste them.
SET CLUSTER SETTING server.jwt_authentication.enabled = true;
SET CLUSTER SETTING server.jwt_authentication.issuers.configuration = 'https://accounts.google.com';
SET CLUSTER SETTING server.jwt_authentication.claim = 'email';

-- Google: map the e-mail address to the part before the domain. Mistake: the regex's dot is not
-- escaped, so `carl@cockroachlabsXcom` matches too (the linter flags that; CockroachDB accepts it).
SET CLUSTER SETTING server.identity_map.configuration = 'https://accounts.google.com /^(.*)@cockroachlabs.com$ \1';

-- The documentation's numeric example. Mistake: the range is backwards, Go rejects it, and so
-- CockroachDB refuses the whole setting. This last statement is the one `identmap check` reads.
SET CLUSTER SETTING server.identity_map.configuration = e'https://accounts.google.com /^([9-0]*)$ \\1\nhttps://accounts.google.com carl@cockroachlabs.com carl';
