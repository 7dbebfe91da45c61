// Room names: who an event is for. A connection follows the rooms its user may see; an event names its audience.
/** The event types clients may receive, and `reset` (the replay cannot fill a gap: reload what you show). */
export const eventTypes = [
	"character.created",
	"character.updated",
	"character.deleted",
	"team.created",
	"team.updated",
	"team.deleted",
	"team.member_added",
	"team.member_removed",
	"progression.saved",
	"guild.member_joined",
	"guild.member_left",
	"guild.member_role_changed",
	"guild.updated",
	"guild.role_updated",
	"guild.deleted",
	"job.progress",
	"job.completed",
	"job.failed",
	"reference.updated",
] as const;

export type EventType = (typeof eventTypes)[number];

export const rooms = {
	user: (userId: number) => `user:${userId}`,
	guild: (guildId: number) => `guild:${guildId}`,
	team: (teamId: number) => `team:${teamId}`,
	/** Everyone signed in: reference data (classes, servers, dungeons). */
	reference: "reference",
	/**
	 * An audience, not a room: the members of `guildId` whose role grants `right` (a character's changes reach the guild
	 * fellows who may view it, as `GET /api/characters/{id}` would let them).
	 */
	guildRight: (guildId: number, right: string) => `guild:${guildId}#${right}`,
} as const;

/** `user:12`, `guild:3`, `team:7` or `reference`: the rooms a client may name in `?rooms=` or a subscribe message. */
export const roomPattern = /^(?:(?:user|guild|team):[1-9][0-9]{0,9}|reference)$/;

/** The room an audience key belongs to: `guild:2#character.view` → `guild:2`. */
export function roomOfKey(key: string): string {
	const hash = key.indexOf("#");
	return hash === -1 ? key : key.slice(0, hash);
}

/** What a user may see: each visible room with the audience keys it receives through it. */
export type VisibleRooms = ReadonlyMap<string, readonly string[]>;

/** Works out a user's visible rooms from the database (services/event-rooms.ts); called at connect and on access changes. */
export type RoomResolver = (userId: number) => Promise<VisibleRooms>;
