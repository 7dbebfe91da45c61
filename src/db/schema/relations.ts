// Relations for `db.query.*`, kept in one file so domain files only import what their foreign keys need (no import cycles).
import { relations } from "drizzle-orm";
import { characters } from "./characters.js";
import { gameAccounts } from "./game-accounts.js";
import { guildMembers, guildRoles, guilds } from "./guilds.js";
import { progressions } from "./progressions.js";
import { classes, servers } from "./reference.js";
import { teamMembers, teams } from "./teams.js";
import { users } from "./users.js";

export const usersRelations = relations(users, ({ many }) => ({
	gameAccounts: many(gameAccounts),
	guildMemberships: many(guildMembers),
	teams: many(teams),
}));

export const guildsRelations = relations(guilds, ({ one, many }) => ({
	creator: one(users, { fields: [guilds.createdBy], references: [users.id] }),
	roles: many(guildRoles),
	members: many(guildMembers),
	teams: many(teams),
}));

export const guildRolesRelations = relations(guildRoles, ({ one, many }) => ({
	guild: one(guilds, { fields: [guildRoles.guildId], references: [guilds.id] }),
	members: many(guildMembers),
}));

export const guildMembersRelations = relations(guildMembers, ({ one }) => ({
	guild: one(guilds, { fields: [guildMembers.guildId], references: [guilds.id] }),
	user: one(users, { fields: [guildMembers.userId], references: [users.id] }),
	role: one(guildRoles, { fields: [guildMembers.roleId], references: [guildRoles.id] }),
}));

export const gameAccountsRelations = relations(gameAccounts, ({ one, many }) => ({
	user: one(users, { fields: [gameAccounts.userId], references: [users.id] }),
	characters: many(characters),
}));

export const charactersRelations = relations(characters, ({ one, many }) => ({
	account: one(gameAccounts, { fields: [characters.accountId], references: [gameAccounts.id] }),
	class: one(classes, { fields: [characters.classId], references: [classes.id] }),
	server: one(servers, { fields: [characters.serverId], references: [servers.id] }),
	teamMemberships: many(teamMembers),
	progressions: many(progressions),
}));

export const teamsRelations = relations(teams, ({ one, many }) => ({
	owner: one(users, { fields: [teams.ownerUserId], references: [users.id] }),
	guild: one(guilds, { fields: [teams.guildId], references: [guilds.id] }),
	server: one(servers, { fields: [teams.serverId], references: [servers.id] }),
	members: many(teamMembers),
}));

export const teamMembersRelations = relations(teamMembers, ({ one }) => ({
	team: one(teams, { fields: [teamMembers.teamId], references: [teams.id] }),
	character: one(characters, { fields: [teamMembers.characterId], references: [characters.id] }),
}));

export const progressionsRelations = relations(progressions, ({ one }) => ({
	character: one(characters, { fields: [progressions.characterId], references: [characters.id] }),
}));
