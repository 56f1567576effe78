using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpenVeracruz.Platform.Data.Migrations
{
    /// <inheritdoc />
    public partial class CfbackBackOffice : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "origin",
                schema: "appointments",
                table: "daily_stats",
                type: "text",
                nullable: false,
                defaultValue: "registrado");

            migrationBuilder.CreateTable(
                name: "admin_changes",
                schema: "appointments",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    user_id = table.Column<string>(type: "text", nullable: false),
                    user_name = table.Column<string>(type: "text", nullable: false),
                    entity = table.Column<string>(type: "text", nullable: false),
                    entity_key = table.Column<string>(type: "text", nullable: false),
                    action = table.Column<string>(type: "text", nullable: false),
                    before = table.Column<string>(type: "jsonb", nullable: true),
                    after = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_admin_changes", x => x.id);
                });

            migrationBuilder.AddCheckConstraint(
                name: "ck_daily_stats_origin",
                schema: "appointments",
                table: "daily_stats",
                sql: "origin IN ('registrado','ilustrativo')");

            migrationBuilder.CreateIndex(
                name: "IX_admin_changes_entity_entity_key_at",
                schema: "appointments",
                table: "admin_changes",
                columns: new[] { "entity", "entity_key", "at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "admin_changes",
                schema: "appointments");

            migrationBuilder.DropCheckConstraint(
                name: "ck_daily_stats_origin",
                schema: "appointments",
                table: "daily_stats");

            migrationBuilder.DropColumn(
                name: "origin",
                schema: "appointments",
                table: "daily_stats");
        }
    }
}
