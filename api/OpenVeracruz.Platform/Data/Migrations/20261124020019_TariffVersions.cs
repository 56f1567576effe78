using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpenVeracruz.Platform.Data.Migrations
{
    /// <inheritdoc />
    public partial class TariffVersions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "version",
                schema: "cadastre",
                table: "valuation_zones",
                type: "integer",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<int>(
                name: "version",
                schema: "cadastre",
                table: "construction_types",
                type: "integer",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.CreateTable(
                name: "tariff_versions",
                schema: "cadastre",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    code = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    value = table.Column<decimal>(type: "numeric(12,2)", precision: 12, scale: 2, nullable: false),
                    valid_from = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    valid_to = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    changed_by = table.Column<string>(type: "text", nullable: true),
                    reason = table.Column<string>(type: "text", nullable: true),
                    source_document = table.Column<string>(type: "text", nullable: true),
                    parcels_revalued = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tariff_versions", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_tariff_versions_kind_code_valid_from",
                schema: "cadastre",
                table: "tariff_versions",
                columns: new[] { "kind", "code", "valid_from" });

            migrationBuilder.CreateIndex(
                name: "IX_tariff_versions_kind_code_version",
                schema: "cadastre",
                table: "tariff_versions",
                columns: new[] { "kind", "code", "version" },
                unique: true);

            // version 1 of every existing zone and type, valid from the earliest parcel version (now on an empty cadastre)
            migrationBuilder.Sql(Cadastre.TariffVersionSql.Sync);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "tariff_versions",
                schema: "cadastre");

            migrationBuilder.DropColumn(
                name: "version",
                schema: "cadastre",
                table: "valuation_zones");

            migrationBuilder.DropColumn(
                name: "version",
                schema: "cadastre",
                table: "construction_types");
        }
    }
}
