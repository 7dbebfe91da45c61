// The whole Drizzle schema: every table and relation, passed to drizzle() and read by drizzle-kit.

export * from "./audit.js";
export * from "./characters.js";
export * from "./feature-flags.js";
export * from "./files.js";
export * from "./game-accounts.js";
export * from "./guild-settings.js";
export * from "./guilds.js";
export * from "./identity.js";
export * from "./invitations.js";
export * from "./jobs.js";
export * from "./mail.js";
export * from "./progressions.js";
export * from "./realtime.js";
export * from "./reference.js";
export * from "./relations.js";
export * from "./teams.js";
export * from "./users.js";
