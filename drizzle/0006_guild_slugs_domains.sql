CREATE TABLE "guild_domains" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "guild_domains_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"guild_id" integer NOT NULL,
	"domain" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"activated_at" timestamp with time zone,
	"activated_by" integer,
	CONSTRAINT "guild_domains_domain_lowercase" CHECK ("guild_domains"."domain" = lower("guild_domains"."domain"))
);
--> statement-breakpoint
CREATE TABLE "guild_slug_history" (
	"slug" text PRIMARY KEY NOT NULL,
	"guild_id" integer NOT NULL,
	"retired_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "guild_slug_history_slug_format" CHECK ("guild_slug_history"."slug" ~ '^[a-z0-9][a-z0-9-]*[a-z0-9]$' and char_length("guild_slug_history"."slug") between 3 and 30)
);
--> statement-breakpoint
ALTER TABLE "guilds" ADD COLUMN "slug" text;--> statement-breakpoint
ALTER TABLE "guild_domains" ADD CONSTRAINT "guild_domains_guild_id_guilds_id_fk" FOREIGN KEY ("guild_id") REFERENCES "public"."guilds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guild_domains" ADD CONSTRAINT "guild_domains_activated_by_users_id_fk" FOREIGN KEY ("activated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guild_slug_history" ADD CONSTRAINT "guild_slug_history_guild_id_guilds_id_fk" FOREIGN KEY ("guild_id") REFERENCES "public"."guilds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "guild_domains_domain_unique" ON "guild_domains" USING btree ("domain");--> statement-breakpoint
CREATE INDEX "guild_domains_guild_idx" ON "guild_domains" USING btree ("guild_id");--> statement-breakpoint
CREATE INDEX "guild_slug_history_guild_idx" ON "guild_slug_history" USING btree ("guild_id");--> statement-breakpoint
CREATE UNIQUE INDEX "guilds_slug_unique" ON "guilds" USING btree ("slug");--> statement-breakpoint
ALTER TABLE "guilds" ADD CONSTRAINT "guilds_slug_format" CHECK ("guilds"."slug" ~ '^[a-z0-9][a-z0-9-]*[a-z0-9]$' and char_length("guilds"."slug") between 3 and 30);