CREATE TABLE "realtime_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "realtime_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"type" text NOT NULL,
	"audience" text[] NOT NULL,
	"data" jsonb NOT NULL,
	"recheck" jsonb,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "realtime_horizon" (
	"singleton" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"pruned_through" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "realtime_horizon_singleton" CHECK ("realtime_horizon"."singleton")
);
--> statement-breakpoint
CREATE INDEX "realtime_events_at_idx" ON "realtime_events" USING btree ("at");