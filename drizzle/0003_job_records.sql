CREATE TABLE "job_records" (
	"job_id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"requested_by" integer,
	"progress_done" integer,
	"progress_total" integer,
	"progress_message" text,
	"progress_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "job_records" ADD CONSTRAINT "job_records_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "job_records_requested_by_idx" ON "job_records" USING btree ("requested_by","created_at");