using System;
using Microsoft.EntityFrameworkCore.Migrations;
using NetTopologySuite.Geometries;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpenVeracruz.Platform.Data.Migrations
{
    /// <inheritdoc />
    public partial class Wifi2MaintenanceInventoryPlans : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateOnly>(
                name: "due_on",
                schema: "maintenance",
                table: "tickets",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "equipment_id",
                schema: "maintenance",
                table: "tickets",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "plan_id",
                schema: "maintenance",
                table: "tickets",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "buildings",
                schema: "maintenance",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    code = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    kind = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    address = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    location = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    geom = table.Column<Point>(type: "geometry(Point,4326)", nullable: false),
                    internal_notes = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_buildings", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "preventive_plans",
                schema: "maintenance",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    equipment_type = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    starts_on = table.Column<DateOnly>(type: "date", nullable: false),
                    every_months = table.Column<int>(type: "integer", nullable: false),
                    day_of_month = table.Column<int>(type: "integer", nullable: true),
                    nth = table.Column<int>(type: "integer", nullable: true),
                    weekday = table.Column<int>(type: "integer", nullable: true),
                    lead_days = table.Column<int>(type: "integer", nullable: false),
                    active = table.Column<bool>(type: "boolean", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_preventive_plans", x => x.id);
                    table.CheckConstraint("ck_plans_lead", "lead_days BETWEEN 0 AND 90");
                    table.CheckConstraint("ck_plans_rule", "every_months BETWEEN 1 AND 60 AND ((day_of_month BETWEEN 1 AND 31 AND nth IS NULL AND weekday IS NULL) OR (day_of_month IS NULL AND nth IN (-1, 1, 2, 3, 4) AND weekday BETWEEN 0 AND 6))");
                });

            migrationBuilder.CreateTable(
                name: "equipment",
                schema: "maintenance",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    inventory_number = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    type = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    brand = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: true),
                    model = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: true),
                    serial = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: true),
                    acquired_on = table.Column<DateOnly>(type: "date", nullable: true),
                    responsible_area = table.Column<string>(type: "character varying(120)", maxLength: 120, nullable: false),
                    status = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    building_id = table.Column<int>(type: "integer", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_equipment", x => x.id);
                    table.CheckConstraint("ck_equipment_status", "status IN ('active', 'in_repair', 'retired')");
                    table.CheckConstraint("ck_equipment_type", "type IN ('computer', 'printer', 'switch', 'network_link', 'phone_exchange', 'phone_extension', 'access_point', 'other')");
                    table.ForeignKey(
                        name: "FK_equipment_buildings_building_id",
                        column: x => x.building_id,
                        principalSchema: "maintenance",
                        principalTable: "buildings",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_tickets_equipment_id",
                schema: "maintenance",
                table: "tickets",
                column: "equipment_id");

            migrationBuilder.CreateIndex(
                name: "ux_tickets_plan_equipment_day",
                schema: "maintenance",
                table: "tickets",
                columns: new[] { "plan_id", "equipment_id", "due_on" },
                unique: true,
                filter: "plan_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_buildings_code",
                schema: "maintenance",
                table: "buildings",
                column: "code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_buildings_geom",
                schema: "maintenance",
                table: "buildings",
                column: "geom")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "IX_equipment_building_id_type",
                schema: "maintenance",
                table: "equipment",
                columns: new[] { "building_id", "type" });

            migrationBuilder.CreateIndex(
                name: "IX_equipment_inventory_number",
                schema: "maintenance",
                table: "equipment",
                column: "inventory_number",
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "FK_tickets_equipment_equipment_id",
                schema: "maintenance",
                table: "tickets",
                column: "equipment_id",
                principalSchema: "maintenance",
                principalTable: "equipment",
                principalColumn: "id",
                onDelete: ReferentialAction.SetNull);

            migrationBuilder.AddForeignKey(
                name: "FK_tickets_preventive_plans_plan_id",
                schema: "maintenance",
                table: "tickets",
                column: "plan_id",
                principalSchema: "maintenance",
                principalTable: "preventive_plans",
                principalColumn: "id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_tickets_equipment_equipment_id",
                schema: "maintenance",
                table: "tickets");

            migrationBuilder.DropForeignKey(
                name: "FK_tickets_preventive_plans_plan_id",
                schema: "maintenance",
                table: "tickets");

            migrationBuilder.DropTable(
                name: "equipment",
                schema: "maintenance");

            migrationBuilder.DropTable(
                name: "preventive_plans",
                schema: "maintenance");

            migrationBuilder.DropTable(
                name: "buildings",
                schema: "maintenance");

            migrationBuilder.DropIndex(
                name: "IX_tickets_equipment_id",
                schema: "maintenance",
                table: "tickets");

            migrationBuilder.DropIndex(
                name: "ux_tickets_plan_equipment_day",
                schema: "maintenance",
                table: "tickets");

            migrationBuilder.DropColumn(
                name: "due_on",
                schema: "maintenance",
                table: "tickets");

            migrationBuilder.DropColumn(
                name: "equipment_id",
                schema: "maintenance",
                table: "tickets");

            migrationBuilder.DropColumn(
                name: "plan_id",
                schema: "maintenance",
                table: "tickets");
        }
    }
}
