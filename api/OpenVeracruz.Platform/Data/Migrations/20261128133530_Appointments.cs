using System;
using Microsoft.EntityFrameworkCore.Migrations;
using NetTopologySuite.Geometries;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpenVeracruz.Platform.Data.Migrations
{
    /// <inheritdoc />
    public partial class Appointments : Migration
    {
        internal const string OfficeLayerView = """
            CREATE OR REPLACE VIEW appointments.office_layer AS
            SELECT o.code, o.name, o.dependency, o.address, o.phone, o.accessibility,
              CASE WHEN o.approximate THEN 'aproximada' ELSE 'verificada' END AS location,
              (SELECT string_agg(s.name || ' (' || s.duration_minutes || ' min)', '; ' ORDER BY s.name)
                 FROM appointments.services s WHERE s.office_id = o.id AND s.active) AS services,
              (SELECT string_agg(d.label || ' ' || d.hours, '; ' ORDER BY d.weekday) FROM (
                 SELECT x.weekday, (ARRAY['dom','lun','mar','mié','jue','vie','sáb'])[x.weekday + 1] AS label,
                        to_char(min(x.starts), 'HH24:MI') || '–' || to_char(max(x.ends), 'HH24:MI') AS hours
                 FROM appointments.schedules x JOIN appointments.services s ON s.id = x.service_id
                 WHERE s.office_id = o.id AND s.active GROUP BY x.weekday) d) AS hours,
              (SELECT string_agg(to_char(h.day, 'YYYY-MM-DD') || ' ' || h.name, '; ' ORDER BY h.day) FROM appointments.holidays h
                 WHERE h.day >= (now() AT TIME ZONE 'UTC' - interval '6 hours')::date AND h.day < (now() AT TIME ZONE 'UTC' - interval '6 hours')::date + 365) AS holidays,
              (SELECT string_agg(to_char(c.from_day, 'YYYY-MM-DD') || CASE WHEN c.to_day > c.from_day THEN ' a ' || to_char(c.to_day, 'YYYY-MM-DD') ELSE '' END, '; ' ORDER BY c.from_day)
                 FROM appointments.closures c WHERE c.office_id = o.id AND c.to_day >= (now() AT TIME ZONE 'UTC' - interval '6 hours')::date) AS closures,
              o.geom
            FROM appointments.offices o WHERE o.active;
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "appointments");

            migrationBuilder.CreateTable(
                name: "daily_stats",
                schema: "appointments",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    day = table.Column<DateOnly>(type: "date", nullable: false),
                    office = table.Column<string>(type: "text", nullable: false),
                    office_name = table.Column<string>(type: "text", nullable: false),
                    procedure = table.Column<string>(type: "text", nullable: false),
                    service_name = table.Column<string>(type: "text", nullable: false),
                    booked = table.Column<int>(type: "integer", nullable: false),
                    attended = table.Column<int>(type: "integer", nullable: false),
                    no_show = table.Column<int>(type: "integer", nullable: false),
                    cancelled = table.Column<int>(type: "integer", nullable: false),
                    walk_ins = table.Column<int>(type: "integer", nullable: false),
                    wait_median_min = table.Column<double>(type: "double precision", nullable: true),
                    wait_p90_min = table.Column<double>(type: "double precision", nullable: true),
                    service_median_min = table.Column<double>(type: "double precision", nullable: true),
                    service_p90_min = table.Column<double>(type: "double precision", nullable: true),
                    surveys = table.Column<int>(type: "integer", nullable: false),
                    survey_mean = table.Column<double>(type: "double precision", nullable: true),
                    geom = table.Column<Point>(type: "geometry(Point,4326)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_daily_stats", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "holidays",
                schema: "appointments",
                columns: table => new
                {
                    day = table.Column<DateOnly>(type: "date", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_holidays", x => x.day);
                });

            migrationBuilder.CreateTable(
                name: "offices",
                schema: "appointments",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    code = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    dependency = table.Column<string>(type: "text", nullable: false),
                    address = table.Column<string>(type: "text", nullable: false),
                    phone = table.Column<string>(type: "text", nullable: true),
                    accessibility = table.Column<string>(type: "text", nullable: true),
                    approximate = table.Column<bool>(type: "boolean", nullable: false),
                    geom = table.Column<Point>(type: "geometry(Point,4326)", nullable: false),
                    active = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_offices", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "outbox",
                schema: "appointments",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    booking_id = table.Column<long>(type: "bigint", nullable: true),
                    to = table.Column<string>(type: "text", nullable: false),
                    subject = table.Column<string>(type: "text", nullable: false),
                    body = table.Column<string>(type: "text", nullable: false),
                    created = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    sent_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    last_error = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_outbox", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "turn_counters",
                schema: "appointments",
                columns: table => new
                {
                    office_id = table.Column<int>(type: "integer", nullable: false),
                    prefix = table.Column<string>(type: "text", nullable: false),
                    day = table.Column<DateOnly>(type: "date", nullable: false),
                    last = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_turn_counters", x => new { x.office_id, x.prefix, x.day });
                });

            migrationBuilder.CreateTable(
                name: "closures",
                schema: "appointments",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    office_id = table.Column<int>(type: "integer", nullable: false),
                    from_day = table.Column<DateOnly>(type: "date", nullable: false),
                    to_day = table.Column<DateOnly>(type: "date", nullable: false),
                    reason = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_closures", x => x.id);
                    table.ForeignKey(
                        name: "FK_closures_offices_office_id",
                        column: x => x.office_id,
                        principalSchema: "appointments",
                        principalTable: "offices",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "desks",
                schema: "appointments",
                columns: table => new
                {
                    user_id = table.Column<string>(type: "text", nullable: false),
                    office_id = table.Column<int>(type: "integer", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    service_ids = table.Column<int[]>(type: "integer[]", nullable: false),
                    opened_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_desks", x => x.user_id);
                    table.ForeignKey(
                        name: "FK_desks_offices_office_id",
                        column: x => x.office_id,
                        principalSchema: "appointments",
                        principalTable: "offices",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_desks_users_user_id",
                        column: x => x.user_id,
                        principalSchema: "auth",
                        principalTable: "users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "services",
                schema: "appointments",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    office_id = table.Column<int>(type: "integer", nullable: false),
                    procedure = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    prefix = table.Column<string>(type: "text", nullable: false),
                    duration_minutes = table.Column<int>(type: "integer", nullable: false),
                    requirements = table.Column<string>(type: "text", nullable: false),
                    cost = table.Column<decimal>(type: "numeric(10,2)", precision: 10, scale: 2, nullable: false),
                    legal_basis = table.Column<string>(type: "text", nullable: false),
                    online = table.Column<bool>(type: "boolean", nullable: false),
                    valid_from = table.Column<DateOnly>(type: "date", nullable: false),
                    active = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_services", x => x.id);
                    table.CheckConstraint("ck_services_duration", "duration_minutes BETWEEN 5 AND 480");
                    table.ForeignKey(
                        name: "FK_services_offices_office_id",
                        column: x => x.office_id,
                        principalSchema: "appointments",
                        principalTable: "offices",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "staff_offices",
                schema: "appointments",
                columns: table => new
                {
                    user_id = table.Column<string>(type: "text", nullable: false),
                    office_id = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_staff_offices", x => new { x.user_id, x.office_id });
                    table.ForeignKey(
                        name: "FK_staff_offices_offices_office_id",
                        column: x => x.office_id,
                        principalSchema: "appointments",
                        principalTable: "offices",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_staff_offices_users_user_id",
                        column: x => x.user_id,
                        principalSchema: "auth",
                        principalTable: "users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "absences",
                schema: "appointments",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    service_id = table.Column<int>(type: "integer", nullable: false),
                    from_day = table.Column<DateOnly>(type: "date", nullable: false),
                    to_day = table.Column<DateOnly>(type: "date", nullable: false),
                    desks = table.Column<int>(type: "integer", nullable: false),
                    reason = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_absences", x => x.id);
                    table.ForeignKey(
                        name: "FK_absences_services_service_id",
                        column: x => x.service_id,
                        principalSchema: "appointments",
                        principalTable: "services",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "bookings",
                schema: "appointments",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    folio = table.Column<string>(type: "text", nullable: true),
                    token_hash = table.Column<string>(type: "text", nullable: true),
                    hold_key = table.Column<string>(type: "text", nullable: true),
                    challenge = table.Column<string>(type: "text", nullable: true),
                    hold_expires_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    office_id = table.Column<int>(type: "integer", nullable: false),
                    service_id = table.Column<int>(type: "integer", nullable: false),
                    procedure = table.Column<string>(type: "text", nullable: false),
                    extra_service_ids = table.Column<int[]>(type: "integer[]", nullable: false),
                    desk = table.Column<int>(type: "integer", nullable: false),
                    starts_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ends_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    state = table.Column<string>(type: "text", nullable: false),
                    curp = table.Column<string>(type: "text", nullable: true),
                    given_names = table.Column<string>(type: "text", nullable: true),
                    surname1 = table.Column<string>(type: "text", nullable: true),
                    surname2 = table.Column<string>(type: "text", nullable: true),
                    email = table.Column<string>(type: "text", nullable: true),
                    phone = table.Column<string>(type: "text", nullable: true),
                    synthetic = table.Column<bool>(type: "boolean", nullable: false),
                    created = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    confirmed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    cancelled_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    checked_in_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    reminder_queued_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_bookings", x => x.id);
                    table.CheckConstraint("ck_bookings_state", "state IN ('held','booked','checked_in','attended','cancelled','no_show')");
                    table.ForeignKey(
                        name: "FK_bookings_offices_office_id",
                        column: x => x.office_id,
                        principalSchema: "appointments",
                        principalTable: "offices",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_bookings_services_service_id",
                        column: x => x.service_id,
                        principalSchema: "appointments",
                        principalTable: "services",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "schedules",
                schema: "appointments",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    service_id = table.Column<int>(type: "integer", nullable: false),
                    weekday = table.Column<int>(type: "integer", nullable: false),
                    starts = table.Column<TimeOnly>(type: "time without time zone", nullable: false),
                    ends = table.Column<TimeOnly>(type: "time without time zone", nullable: false),
                    desks = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_schedules", x => x.id);
                    table.CheckConstraint("ck_schedules_desks", "desks BETWEEN 1 AND 100");
                    table.CheckConstraint("ck_schedules_range", "starts < ends");
                    table.CheckConstraint("ck_schedules_weekday", "weekday BETWEEN 0 AND 6");
                    table.ForeignKey(
                        name: "FK_schedules_services_service_id",
                        column: x => x.service_id,
                        principalSchema: "appointments",
                        principalTable: "services",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "turns",
                schema: "appointments",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    office_id = table.Column<int>(type: "integer", nullable: false),
                    service_id = table.Column<int>(type: "integer", nullable: false),
                    day = table.Column<DateOnly>(type: "date", nullable: false),
                    prefix = table.Column<string>(type: "text", nullable: false),
                    number = table.Column<int>(type: "integer", nullable: false),
                    code = table.Column<string>(type: "text", nullable: false),
                    kind = table.Column<string>(type: "text", nullable: false),
                    priority = table.Column<string>(type: "text", nullable: true),
                    booking_id = table.Column<long>(type: "bigint", nullable: true),
                    due_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    state = table.Column<string>(type: "text", nullable: false),
                    desk = table.Column<string>(type: "text", nullable: true),
                    desk_user_id = table.Column<string>(type: "text", nullable: true),
                    call_count = table.Column<int>(type: "integer", nullable: false),
                    created = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    called_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    started_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    notes = table.Column<string>(type: "text", nullable: true),
                    survey_key = table.Column<string>(type: "text", nullable: true),
                    synthetic = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_turns", x => x.id);
                    table.CheckConstraint("ck_turns_state", "state IN ('waiting','called','serving','parked','missed','done','no_show')");
                    table.ForeignKey(
                        name: "FK_turns_bookings_booking_id",
                        column: x => x.booking_id,
                        principalSchema: "appointments",
                        principalTable: "bookings",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_turns_offices_office_id",
                        column: x => x.office_id,
                        principalSchema: "appointments",
                        principalTable: "offices",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_turns_services_service_id",
                        column: x => x.service_id,
                        principalSchema: "appointments",
                        principalTable: "services",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "surveys",
                schema: "appointments",
                columns: table => new
                {
                    turn_id = table.Column<long>(type: "bigint", nullable: false),
                    score = table.Column<int>(type: "integer", nullable: false),
                    comment = table.Column<string>(type: "text", nullable: true),
                    created = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_surveys", x => x.turn_id);
                    table.CheckConstraint("ck_surveys_score", "score BETWEEN 1 AND 5");
                    table.ForeignKey(
                        name: "FK_surveys_turns_turn_id",
                        column: x => x.turn_id,
                        principalSchema: "appointments",
                        principalTable: "turns",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_absences_service_id",
                schema: "appointments",
                table: "absences",
                column: "service_id");

            migrationBuilder.CreateIndex(
                name: "IX_bookings_folio",
                schema: "appointments",
                table: "bookings",
                column: "folio",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_bookings_hold_key",
                schema: "appointments",
                table: "bookings",
                column: "hold_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_bookings_office_id",
                schema: "appointments",
                table: "bookings",
                column: "office_id");

            migrationBuilder.CreateIndex(
                name: "IX_bookings_service_id_starts_at",
                schema: "appointments",
                table: "bookings",
                columns: new[] { "service_id", "starts_at" });

            migrationBuilder.CreateIndex(
                name: "IX_bookings_starts_at_state",
                schema: "appointments",
                table: "bookings",
                columns: new[] { "starts_at", "state" });

            migrationBuilder.CreateIndex(
                name: "ux_bookings_active_per_curp",
                schema: "appointments",
                table: "bookings",
                columns: new[] { "curp", "procedure" },
                unique: true,
                filter: "state IN ('booked', 'checked_in')");

            migrationBuilder.CreateIndex(
                name: "IX_closures_office_id",
                schema: "appointments",
                table: "closures",
                column: "office_id");

            migrationBuilder.CreateIndex(
                name: "IX_daily_stats_day",
                schema: "appointments",
                table: "daily_stats",
                column: "day");

            migrationBuilder.CreateIndex(
                name: "IX_daily_stats_geom",
                schema: "appointments",
                table: "daily_stats",
                column: "geom")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "IX_desks_office_id",
                schema: "appointments",
                table: "desks",
                column: "office_id");

            migrationBuilder.CreateIndex(
                name: "IX_offices_code",
                schema: "appointments",
                table: "offices",
                column: "code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_outbox_sent_at",
                schema: "appointments",
                table: "outbox",
                column: "sent_at");

            migrationBuilder.CreateIndex(
                name: "IX_schedules_service_id_weekday",
                schema: "appointments",
                table: "schedules",
                columns: new[] { "service_id", "weekday" });

            migrationBuilder.CreateIndex(
                name: "IX_services_office_id_prefix",
                schema: "appointments",
                table: "services",
                columns: new[] { "office_id", "prefix" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_services_office_id_procedure",
                schema: "appointments",
                table: "services",
                columns: new[] { "office_id", "procedure" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_staff_offices_office_id",
                schema: "appointments",
                table: "staff_offices",
                column: "office_id");

            migrationBuilder.CreateIndex(
                name: "IX_turns_booking_id",
                schema: "appointments",
                table: "turns",
                column: "booking_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_turns_office_id_day_code",
                schema: "appointments",
                table: "turns",
                columns: new[] { "office_id", "day", "code" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_turns_office_id_day_state",
                schema: "appointments",
                table: "turns",
                columns: new[] { "office_id", "day", "state" });

            migrationBuilder.CreateIndex(
                name: "IX_turns_service_id",
                schema: "appointments",
                table: "turns",
                column: "service_id");

            migrationBuilder.CreateIndex(
                name: "IX_turns_survey_key",
                schema: "appointments",
                table: "turns",
                column: "survey_key",
                unique: true);

            // capacity is a constraint, not a count: no two holds or appointments share a desk of a service at overlapping times
            migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS btree_gist;");
            migrationBuilder.Sql("""
                ALTER TABLE appointments.bookings ADD CONSTRAINT ex_bookings_desk_time
                  EXCLUDE USING gist (service_id WITH =, desk WITH =, tstzrange(starts_at, ends_at) WITH &&)
                  WHERE (state IN ('held', 'booked', 'checked_in', 'attended'));
                """);
            // the public layer "offices" (datasets/oficinas-cero-filas): live from the tables, no personal data
            migrationBuilder.Sql(OfficeLayerView);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP VIEW IF EXISTS appointments.office_layer;");
            migrationBuilder.DropTable(
                name: "absences",
                schema: "appointments");

            migrationBuilder.DropTable(
                name: "closures",
                schema: "appointments");

            migrationBuilder.DropTable(
                name: "daily_stats",
                schema: "appointments");

            migrationBuilder.DropTable(
                name: "desks",
                schema: "appointments");

            migrationBuilder.DropTable(
                name: "holidays",
                schema: "appointments");

            migrationBuilder.DropTable(
                name: "outbox",
                schema: "appointments");

            migrationBuilder.DropTable(
                name: "schedules",
                schema: "appointments");

            migrationBuilder.DropTable(
                name: "staff_offices",
                schema: "appointments");

            migrationBuilder.DropTable(
                name: "surveys",
                schema: "appointments");

            migrationBuilder.DropTable(
                name: "turn_counters",
                schema: "appointments");

            migrationBuilder.DropTable(
                name: "turns",
                schema: "appointments");

            migrationBuilder.DropTable(
                name: "bookings",
                schema: "appointments");

            migrationBuilder.DropTable(
                name: "services",
                schema: "appointments");

            migrationBuilder.DropTable(
                name: "offices",
                schema: "appointments");
        }
    }
}
