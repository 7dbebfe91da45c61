CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_id" integer,
	"scope" text NOT NULL,
	"guild_id" integer,
	"action" text NOT NULL,
	"target_type" text,
	"target_id" text,
	"before" jsonb,
	"after" jsonb,
	CONSTRAINT "audit_log_scope_known" CHECK ("audit_log"."scope" in ('guild', 'platform'))
);
--> statement-breakpoint
CREATE TABLE "feature_flags" (
	"name" text PRIMARY KEY NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"enabled" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "feature_flags_name_format" CHECK ("feature_flags"."name" ~ '^[a-z][a-z0-9_.-]{1,62}$')
);
--> statement-breakpoint
CREATE TABLE "guild_feature_flags" (
	"flag_name" text NOT NULL,
	"guild_id" integer NOT NULL,
	"enabled" boolean NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "guild_feature_flags_pkey" PRIMARY KEY("flag_name","guild_id")
);
--> statement-breakpoint
CREATE TABLE "guild_request_counts" (
	"guild_id" integer NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "guild_request_counts_pkey" PRIMARY KEY("guild_id","hour"),
	CONSTRAINT "guild_request_counts_count_positive" CHECK ("guild_request_counts"."count" > 0)
);
--> statement-breakpoint
CREATE TABLE "guild_settings" (
	"guild_id" integer PRIMARY KEY NOT NULL,
	"locale" text DEFAULT 'en' NOT NULL,
	"timezone" text DEFAULT 'UTC' NOT NULL,
	"visibility" text DEFAULT 'public' NOT NULL,
	"default_role_id" integer,
	"member_limit" integer DEFAULT 1000 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" integer,
	CONSTRAINT "guild_settings_visibility_known" CHECK ("guild_settings"."visibility" in ('public', 'members')),
	CONSTRAINT "guild_settings_member_limit_range" CHECK ("guild_settings"."member_limit" between 1 and 1000)
);
--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guild_feature_flags" ADD CONSTRAINT "guild_feature_flags_flag_name_feature_flags_name_fk" FOREIGN KEY ("flag_name") REFERENCES "public"."feature_flags"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guild_feature_flags" ADD CONSTRAINT "guild_feature_flags_guild_id_guilds_id_fk" FOREIGN KEY ("guild_id") REFERENCES "public"."guilds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guild_request_counts" ADD CONSTRAINT "guild_request_counts_guild_id_guilds_id_fk" FOREIGN KEY ("guild_id") REFERENCES "public"."guilds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guild_settings" ADD CONSTRAINT "guild_settings_guild_id_guilds_id_fk" FOREIGN KEY ("guild_id") REFERENCES "public"."guilds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guild_settings" ADD CONSTRAINT "guild_settings_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guild_settings" ADD CONSTRAINT "guild_settings_default_role_fk" FOREIGN KEY ("guild_id","default_role_id") REFERENCES "public"."guild_roles"("guild_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_guild_id_idx" ON "audit_log" USING btree ("guild_id","id");--> statement-breakpoint
CREATE INDEX "audit_log_action_id_idx" ON "audit_log" USING btree ("action","id");--> statement-breakpoint
CREATE INDEX "guild_feature_flags_guild_idx" ON "guild_feature_flags" USING btree ("guild_id");--> statement-breakpoint
CREATE INDEX "guild_request_counts_hour_idx" ON "guild_request_counts" USING btree ("hour");