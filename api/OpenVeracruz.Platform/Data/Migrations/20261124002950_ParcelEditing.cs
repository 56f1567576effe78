using System;
using Microsoft.EntityFrameworkCore.Migrations;
using NetTopologySuite.Geometries;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpenVeracruz.Platform.Data.Migrations
{
    /// <inheritdoc />
    public partial class ParcelEditing : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "version",
                schema: "cadastre",
                table: "parcels",
                type: "integer",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.CreateTable(
                name: "owner_access_log",
                schema: "private",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    user_id = table.Column<string>(type: "text", nullable: false),
                    user_email = table.Column<string>(type: "text", nullable: false),
                    parcel_id = table.Column<long>(type: "bigint", nullable: false),
                    clave = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_owner_access_log", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "parcel_edits",
                schema: "cadastre",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    kind = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    target_claves = table.Column<string[]>(type: "text[]", nullable: false),
                    base_versions = table.Column<int[]>(type: "integer[]", nullable: false),
                    payload = table.Column<string>(type: "jsonb", nullable: false),
                    reason = table.Column<string>(type: "text", nullable: false),
                    source_document = table.Column<string>(type: "text", nullable: true),
                    state = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    proposed_by = table.Column<string>(type: "text", nullable: false),
                    proposed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    decided_by = table.Column<string>(type: "text", nullable: true),
                    decided_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    rejection_reason = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_parcel_edits", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "parcel_lineage",
                schema: "cadastre",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    parent_parcel_id = table.Column<long>(type: "bigint", nullable: false),
                    child_parcel_id = table.Column<long>(type: "bigint", nullable: false),
                    edit_id = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_parcel_lineage", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "parcel_versions",
                schema: "cadastre",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    parcel_id = table.Column<long>(type: "bigint", nullable: false),
                    clave = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    zone = table.Column<int>(type: "integer", nullable: false),
                    block = table.Column<int>(type: "integer", nullable: false),
                    lot = table.Column<int>(type: "integer", nullable: false),
                    locality_cvegeo = table.Column<string>(type: "character varying(9)", maxLength: 9, nullable: false),
                    locality = table.Column<string>(type: "text", nullable: false),
                    land_use = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    land_area_m2 = table.Column<double>(type: "double precision", nullable: false),
                    built_area_m2 = table.Column<double>(type: "double precision", nullable: false),
                    valuation_zone = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    construction_type = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    land_value = table.Column<decimal>(type: "numeric(14,2)", precision: 14, scale: 2, nullable: false),
                    construction_value = table.Column<decimal>(type: "numeric(14,2)", precision: 14, scale: 2, nullable: false),
                    cadastral_value = table.Column<decimal>(type: "numeric(14,2)", precision: 14, scale: 2, nullable: false),
                    geom = table.Column<Polygon>(type: "geometry(Polygon,4326)", nullable: false),
                    valid_from = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    valid_to = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    change_kind = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    edit_id = table.Column<long>(type: "bigint", nullable: true),
                    reason = table.Column<string>(type: "text", nullable: true),
                    source_document = table.Column<string>(type: "text", nullable: true),
                    proposed_by = table.Column<string>(type: "text", nullable: true),
                    approved_by = table.Column<string>(type: "text", nullable: true),
                    approved_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_parcel_versions", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_parcel_edits_state",
                schema: "cadastre",
                table: "parcel_edits",
                column: "state");

            migrationBuilder.CreateIndex(
                name: "IX_parcel_lineage_child_parcel_id",
                schema: "cadastre",
                table: "parcel_lineage",
                column: "child_parcel_id");

            migrationBuilder.CreateIndex(
                name: "IX_parcel_lineage_parent_parcel_id",
                schema: "cadastre",
                table: "parcel_lineage",
                column: "parent_parcel_id");

            migrationBuilder.CreateIndex(
                name: "IX_parcel_versions_clave_valid_from",
                schema: "cadastre",
                table: "parcel_versions",
                columns: new[] { "clave", "valid_from" });

            migrationBuilder.CreateIndex(
                name: "IX_parcel_versions_geom",
                schema: "cadastre",
                table: "parcel_versions",
                column: "geom")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "IX_parcel_versions_parcel_id_version",
                schema: "cadastre",
                table: "parcel_versions",
                columns: new[] { "parcel_id", "version" },
                unique: true);

            // parcels loaded before versions existed get their version 1 (a fresh load writes it itself)
            migrationBuilder.Sql(Cadastre.ParcelVersionSql.InitialVersions);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "owner_access_log",
                schema: "private");

            migrationBuilder.DropTable(
                name: "parcel_edits",
                schema: "cadastre");

            migrationBuilder.DropTable(
                name: "parcel_lineage",
                schema: "cadastre");

            migrationBuilder.DropTable(
                name: "parcel_versions",
                schema: "cadastre");

            migrationBuilder.DropColumn(
                name: "version",
                schema: "cadastre",
                table: "parcels");
        }
    }
}
