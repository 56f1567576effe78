using System;
using Microsoft.EntityFrameworkCore.Migrations;
using NetTopologySuite.Geometries;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpenVeracruz.Platform.Data.Migrations
{
    /// <inheritdoc />
    public partial class Wifi2MaintenanceTickets : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "maintenance");

            migrationBuilder.AddColumn<DateTime>(
                name: "problem_since",
                schema: "wifi",
                table: "sites",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "tickets",
                schema: "maintenance",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    kind = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    source = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    description = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    urgency = table.Column<int>(type: "integer", nullable: false),
                    impact = table.Column<int>(type: "integer", nullable: false),
                    priority = table.Column<int>(type: "integer", nullable: false),
                    state = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    subject = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    location = table.Column<Point>(type: "geometry(Point,4326)", nullable: true),
                    reported_by_id = table.Column<string>(type: "text", nullable: true),
                    reported_by_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    assignee_id = table.Column<string>(type: "text", nullable: true),
                    assignee_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    reported_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    assigned_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    resolved_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    closed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    assign_due_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    resolve_due_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tickets", x => x.id);
                    table.CheckConstraint("ck_tickets_assigned", "state = 'reported' OR assignee_id IS NOT NULL");
                    table.CheckConstraint("ck_tickets_kind", "kind IN ('corrective', 'preventive')");
                    table.CheckConstraint("ck_tickets_scale", "urgency BETWEEN 1 AND 5 AND impact BETWEEN 1 AND 5 AND priority BETWEEN 1 AND 5");
                    table.CheckConstraint("ck_tickets_state", "state IN ('reported', 'assigned', 'in_progress', 'resolved', 'closed', 'reopened')");
                });

            migrationBuilder.CreateTable(
                name: "ticket_attachments",
                schema: "maintenance",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    ticket_id = table.Column<long>(type: "bigint", nullable: false),
                    file_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    content_type = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    bytes = table.Column<long>(type: "bigint", nullable: false),
                    stored_path = table.Column<string>(type: "text", nullable: false),
                    at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    by_id = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ticket_attachments", x => x.id);
                    table.ForeignKey(
                        name: "FK_ticket_attachments_tickets_ticket_id",
                        column: x => x.ticket_id,
                        principalSchema: "maintenance",
                        principalTable: "tickets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ticket_events",
                schema: "maintenance",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    ticket_id = table.Column<long>(type: "bigint", nullable: false),
                    at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    kind = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    actor_id = table.Column<string>(type: "text", nullable: true),
                    actor_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    from_state = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: true),
                    to_state = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: true),
                    text = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ticket_events", x => x.id);
                    table.CheckConstraint("ck_ticket_events_kind", "kind IN ('transition', 'comment', 'note')");
                    table.ForeignKey(
                        name: "FK_ticket_events_tickets_ticket_id",
                        column: x => x.ticket_id,
                        principalSchema: "maintenance",
                        principalTable: "tickets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ticket_attachments_ticket_id",
                schema: "maintenance",
                table: "ticket_attachments",
                column: "ticket_id");

            migrationBuilder.CreateIndex(
                name: "IX_ticket_events_ticket_id",
                schema: "maintenance",
                table: "ticket_events",
                column: "ticket_id");

            migrationBuilder.CreateIndex(
                name: "IX_tickets_assignee_id_state",
                schema: "maintenance",
                table: "tickets",
                columns: new[] { "assignee_id", "state" });

            migrationBuilder.CreateIndex(
                name: "IX_tickets_state",
                schema: "maintenance",
                table: "tickets",
                column: "state");

            migrationBuilder.CreateIndex(
                name: "ux_tickets_open_subject",
                schema: "maintenance",
                table: "tickets",
                column: "subject",
                unique: true,
                filter: "subject IS NOT NULL AND kind = 'corrective' AND state IN ('reported', 'assigned', 'in_progress', 'reopened')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ticket_attachments",
                schema: "maintenance");

            migrationBuilder.DropTable(
                name: "ticket_events",
                schema: "maintenance");

            migrationBuilder.DropTable(
                name: "tickets",
                schema: "maintenance");

            migrationBuilder.DropColumn(
                name: "problem_since",
                schema: "wifi",
                table: "sites");
        }
    }
}
