-- The account's session version (services/auth/accounts.ts): disabling an account, changing its
-- role or resetting its password bumps it, and a token issued at an older version is refused.
-- Every existing account starts at 1, the version a token without the `sv` claim counts as, so
-- sessions open when this is applied keep working until their account's next change.
ALTER TABLE "auth"."credentials" ADD COLUMN "session_version" INTEGER NOT NULL DEFAULT 1;
