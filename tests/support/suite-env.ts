/**
 * Settings for the whole jest run, applied before any module reads the config. The suite
 * registers a few hundred shoppers from 127.0.0.1 within minutes, which the per-address sign-up
 * limit (SIGNUP_RATE_LIMIT, default 10 per window) exists to refuse; the security suite proves
 * that limit at its production default on a server of its own (tests/security/api4-*).
 */
process.env.SIGNUP_RATE_LIMIT ??= '1000000';
