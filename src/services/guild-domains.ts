// Custom domains: a guild registers them, a platform admin activates them; active ones name the guild like its slug.
import { and, asc, count, eq, isNotNull, isNull, type SQL } from "drizzle-orm";
import type { Database, Transaction } from "../db/index.js";
import { guildDomains, guilds } from "../db/schema/index.js";
import { announceTenantChange, type TenantChange } from "../tenancy/changes.js";
import { customDomain } from "../tenancy/hosts.js";
import type { TenancySettings } from "../tenancy/settings.js";
import { guildActor, platformActor, recordAudit } from "./audit-log.js";
import type { GuildAddressing } from "./guild-slugs.js";

/** Domains one guild may hold (active or waiting): each is a host an admin reviews. */
export const maxDomainsPerGuild = 5;

const domainColumns = {
	id: guildDomains.id,
	guildId: guildDomains.guildId,
	domain: guildDomains.domain,
	createdAt: guildDomains.createdAt,
	activatedAt: guildDomains.activatedAt,
};

export type DomainState = "pending" | "active";

export type DomainAdded =
	| { status: "created"; domain: typeof guildDomains.$inferSelect }
	| { status: "invalid" | "limit" | "taken" };

export function createGuildDomainService(
	db: Database,
	settings: Pick<TenancySettings, "baseDomain" | "platformHosts">,
	addressing: Pick<GuildAddressing, "now" | "changed">,
) {
	/** Sends the change with the transaction's commit, then tells this instance's cache. */
	async function announced<T>(work: (tx: Transaction) => Promise<T | undefined>, change: (row: T) => TenantChange) {
		let sent: TenantChange | undefined;
		const result = await db.transaction(async (tx) => {
			const row = await work(tx);
			if (row === undefined) return undefined;
			sent = change(row);
			await announceTenantChange(tx, sent);
			return row;
		});
		if (sent !== undefined) addressing.changed(sent);
		return result;
	}

	return {
		list(guildId: number) {
			return db
				.select(domainColumns)
				.from(guildDomains)
				.where(eq(guildDomains.guildId, guildId))
				.orderBy(asc(guildDomains.id));
		},

		/** Waiting for an admin: it names no guild yet, so no cache has anything to forget. `actorId` is audited. */
		async add(guildId: number, input: string, actorId: number): Promise<DomainAdded> {
			const domain = customDomain(input, settings);
			if (domain === null) return { status: "invalid" };
			return db.transaction(async (tx): Promise<DomainAdded> => {
				// The guild row's lock makes the limit hold against two additions at once.
				await tx.select({ id: guilds.id }).from(guilds).where(eq(guilds.id, guildId)).for("update");
				const [held] = await tx.select({ total: count() }).from(guildDomains).where(eq(guildDomains.guildId, guildId));
				if ((held?.total ?? 0) >= maxDomainsPerGuild) return { status: "limit" };
				const [taken] = await tx
					.select({ id: guildDomains.id })
					.from(guildDomains)
					.where(eq(guildDomains.domain, domain));
				if (taken !== undefined) return { status: "taken" };
				// Two guilds adding the same domain at once: guild_domains_domain_unique refuses the second (409 domain.taken).
				const [created] = await tx.insert(guildDomains).values({ guildId, domain }).returning();
				if (created === undefined) throw new Error("domain insert returned no row");
				await recordAudit(tx, {
					actor: guildActor(actorId),
					action: "domain.added",
					guildId,
					target: { type: "domain", id: created.id },
					after: { domain },
				});
				return { status: "created", domain: created };
			});
		},

		/** True when the guild had it; every instance stops serving it at once. `actorId` is audited. */
		async remove(guildId: number, domainId: number, actorId: number): Promise<boolean> {
			const removed = await announced(
				async (tx) => {
					const [row] = await tx
						.delete(guildDomains)
						.where(and(eq(guildDomains.id, domainId), eq(guildDomains.guildId, guildId)))
						.returning({ domain: guildDomains.domain, activatedAt: guildDomains.activatedAt });
					if (row !== undefined)
						await recordAudit(tx, {
							actor: guildActor(actorId),
							action: "domain.removed",
							guildId,
							target: { type: "domain", id: domainId },
							before: { domain: row.domain, active: row.activatedAt !== null },
						});
					return row;
				},
				(row) => ({ domains: [row.domain] }),
			);
			return removed !== undefined;
		},

		/** Every guild's domains, for the platform admins: waiting ones first when listing all. */
		listAll(state?: DomainState) {
			const where: SQL | undefined =
				state === undefined
					? undefined
					: state === "active"
						? isNotNull(guildDomains.activatedAt)
						: isNull(guildDomains.activatedAt);
			return db
				.select({ ...domainColumns, guild: { id: guilds.id, slug: guilds.slug, name: guilds.name } })
				.from(guildDomains)
				.innerJoin(guilds, eq(guilds.id, guildDomains.guildId))
				.where(where)
				.orderBy(asc(guildDomains.id));
		},

		/** Activates (by `adminId`) or deactivates a domain; the same state again changes nothing. Undefined: no such domain. */
		async setActive(domainId: number, active: boolean, adminId: number) {
			return announced(
				async (tx) => {
					const [row] = await tx
						.update(guildDomains)
						.set(
							active
								? { activatedAt: addressing.now(), activatedBy: adminId }
								: { activatedAt: null, activatedBy: null },
						)
						.where(
							and(
								eq(guildDomains.id, domainId),
								active ? isNull(guildDomains.activatedAt) : isNotNull(guildDomains.activatedAt),
							),
						)
						.returning(domainColumns);
					if (row !== undefined) {
						await recordAudit(tx, {
							actor: platformActor(adminId),
							action: active ? "domain.activated" : "domain.deactivated",
							guildId: row.guildId,
							target: { type: "domain", id: row.id },
							before: { domain: row.domain, active: !active },
							after: { domain: row.domain, active },
						});
						return row;
					}
					const [unchanged] = await tx.select(domainColumns).from(guildDomains).where(eq(guildDomains.id, domainId));
					return unchanged;
				},
				(row) => ({ domains: [row.domain] }),
			);
		},
	};
}

export type GuildDomainService = ReturnType<typeof createGuildDomainService>;
