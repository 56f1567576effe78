using System;
using Microsoft.EntityFrameworkCore.Migrations;
using NetTopologySuite.Geometries;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpenVeracruz.Platform.Data.Migrations
{
    /// <inheritdoc />
    public partial class WifiSites : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "wifi");

            migrationBuilder.CreateTable(
                name: "sites",
                schema: "wifi",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    code = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    place = table.Column<string>(type: "text", nullable: false),
                    address = table.Column<string>(type: "text", nullable: false),
                    status = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    status_since = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    coverage_radius_m = table.Column<int>(type: "integer", nullable: false),
                    hours = table.Column<string>(type: "text", nullable: false),
                    access_points = table.Column<int>(type: "integer", nullable: false),
                    location = table.Column<string>(type: "text", nullable: false),
                    geom = table.Column<Point>(type: "geometry(Point,4326)", nullable: false),
                    monitored_since = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    last_heartbeat_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sites", x => x.id);
                    table.CheckConstraint("ck_sites_status", "status IN ('operating', 'failing', 'maintenance')");
                });

            migrationBuilder.CreateTable(
                name: "hourly_reports",
                schema: "wifi",
                columns: table => new
                {
                    site_id = table.Column<int>(type: "integer", nullable: false),
                    hour = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    sessions = table.Column<int>(type: "integer", nullable: false),
                    unique_devices = table.Column<int>(type: "integer", nullable: false),
                    bytes_in = table.Column<long>(type: "bigint", nullable: false),
                    bytes_out = table.Column<long>(type: "bigint", nullable: false),
                    received_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    source = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_hourly_reports", x => new { x.site_id, x.hour });
                    table.CheckConstraint("ck_hourly_reports_counts", "sessions >= 0 AND unique_devices >= 0 AND unique_devices <= sessions AND bytes_in >= 0 AND bytes_out >= 0");
                    table.CheckConstraint("ck_hourly_reports_hour", "mod(extract(epoch FROM hour), 3600) = 0");
                    table.ForeignKey(
                        name: "FK_hourly_reports_sites_site_id",
                        column: x => x.site_id,
                        principalSchema: "wifi",
                        principalTable: "sites",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "site_keys",
                schema: "wifi",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    site_id = table.Column<int>(type: "integer", nullable: false),
                    hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    prefix = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    created = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: false),
                    revoked_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    revoked_by = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_site_keys", x => x.id);
                    table.ForeignKey(
                        name: "FK_site_keys_sites_site_id",
                        column: x => x.site_id,
                        principalSchema: "wifi",
                        principalTable: "sites",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_site_keys_hash",
                schema: "wifi",
                table: "site_keys",
                column: "hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_site_keys_site_id",
                schema: "wifi",
                table: "site_keys",
                column: "site_id");

            migrationBuilder.CreateIndex(
                name: "IX_sites_code",
                schema: "wifi",
                table: "sites",
                column: "code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_sites_geom",
                schema: "wifi",
                table: "sites",
                column: "geom")
                .Annotation("Npgsql:IndexMethod", "gist");

            // the open datasets of connections (layers wifi_connections_daily / _monthly): counts per site and local day or
            // month, read live by every door; "origin" tells illustrative rows from rows reported by controllers
            migrationBuilder.Sql("""
                CREATE VIEW wifi.daily_connections AS
                SELECT s.code || '-' || to_char(d.day, 'YYYYMMDD') AS id, s.code AS site_code, s.name AS site_name, d.day,
                       d.sessions, d.peak_hourly_devices, d.megabytes, d.hours_reported,
                       CASE WHEN d.illustrative THEN 'ilustrativo' ELSE 'reportado' END AS origin, s.geom
                FROM (SELECT site_id, (hour AT TIME ZONE 'America/Mexico_City')::date AS day, sum(sessions)::bigint AS sessions,
                             max(unique_devices) AS peak_hourly_devices, round(sum(bytes_in + bytes_out) / 1e6, 1)::double precision AS megabytes,
                             count(*)::int AS hours_reported, bool_or(source = 'synthetic') AS illustrative
                      FROM wifi.hourly_reports GROUP BY 1, 2) d
                JOIN wifi.sites s ON s.id = d.site_id;

                CREATE VIEW wifi.monthly_connections AS
                SELECT s.code || '-' || m.month AS id, s.code AS site_code, s.name AS site_name, m.month,
                       m.sessions, m.megabytes, m.days_reported,
                       CASE WHEN m.illustrative THEN 'ilustrativo' ELSE 'reportado' END AS origin, s.geom
                FROM (SELECT site_id, to_char(hour AT TIME ZONE 'America/Mexico_City', 'YYYY-MM') AS month, sum(sessions)::bigint AS sessions,
                             round(sum(bytes_in + bytes_out) / 1e6, 1)::double precision AS megabytes,
                             count(DISTINCT (hour AT TIME ZONE 'America/Mexico_City')::date)::int AS days_reported,
                             bool_or(source = 'synthetic') AS illustrative
                      FROM wifi.hourly_reports GROUP BY 1, 2) m
                JOIN wifi.sites s ON s.id = m.site_id;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP VIEW wifi.daily_connections; DROP VIEW wifi.monthly_connections;");

            migrationBuilder.DropTable(
                name: "hourly_reports",
                schema: "wifi");

            migrationBuilder.DropTable(
                name: "site_keys",
                schema: "wifi");

            migrationBuilder.DropTable(
                name: "sites",
                schema: "wifi");
        }
    }
}
