using System;
using Microsoft.EntityFrameworkCore.Migrations;
using NetTopologySuite.Geometries;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpenVeracruz.Platform.Data.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "cadastre");

            migrationBuilder.EnsureSchema(
                name: "catalog");

            migrationBuilder.EnsureSchema(
                name: "private");

            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:PostgresExtension:postgis", ",,");

            migrationBuilder.CreateTable(
                name: "construction_types",
                schema: "cadastre",
                columns: table => new
                {
                    code = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    value_per_m2 = table.Column<decimal>(type: "numeric(12,2)", precision: 12, scale: 2, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_construction_types", x => x.code);
                });

            migrationBuilder.CreateTable(
                name: "dataset_loads",
                schema: "catalog",
                columns: table => new
                {
                    dataset_id = table.Column<string>(type: "text", nullable: false),
                    content_hash = table.Column<string>(type: "text", nullable: false),
                    row_count = table.Column<long>(type: "bigint", nullable: false),
                    loaded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_dataset_loads", x => x.dataset_id);
                });

            migrationBuilder.CreateTable(
                name: "valuation_zones",
                schema: "cadastre",
                columns: table => new
                {
                    code = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    land_value_per_m2 = table.Column<decimal>(type: "numeric(12,2)", precision: 12, scale: 2, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_valuation_zones", x => x.code);
                });

            migrationBuilder.CreateTable(
                name: "parcels",
                schema: "cadastre",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    clave = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
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
                    geom = table.Column<Polygon>(type: "geometry(Polygon,4326)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_parcels", x => x.id);
                    table.ForeignKey(
                        name: "FK_parcels_construction_types_construction_type",
                        column: x => x.construction_type,
                        principalSchema: "cadastre",
                        principalTable: "construction_types",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_parcels_valuation_zones_valuation_zone",
                        column: x => x.valuation_zone,
                        principalSchema: "cadastre",
                        principalTable: "valuation_zones",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "owners",
                schema: "private",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    parcel_id = table.Column<long>(type: "bigint", nullable: false),
                    full_name = table.Column<string>(type: "text", nullable: false),
                    curp = table.Column<string>(type: "character varying(18)", maxLength: 18, nullable: false),
                    phone = table.Column<string>(type: "text", nullable: false),
                    email = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_owners", x => x.id);
                    table.ForeignKey(
                        name: "FK_owners_parcels_parcel_id",
                        column: x => x.parcel_id,
                        principalSchema: "cadastre",
                        principalTable: "parcels",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_owners_parcel_id",
                schema: "private",
                table: "owners",
                column: "parcel_id");

            migrationBuilder.CreateIndex(
                name: "IX_parcels_clave",
                schema: "cadastre",
                table: "parcels",
                column: "clave",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_parcels_construction_type",
                schema: "cadastre",
                table: "parcels",
                column: "construction_type");

            migrationBuilder.CreateIndex(
                name: "IX_parcels_geom",
                schema: "cadastre",
                table: "parcels",
                column: "geom")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "IX_parcels_locality_cvegeo",
                schema: "cadastre",
                table: "parcels",
                column: "locality_cvegeo");

            migrationBuilder.CreateIndex(
                name: "IX_parcels_valuation_zone",
                schema: "cadastre",
                table: "parcels",
                column: "valuation_zone");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "dataset_loads",
                schema: "catalog");

            migrationBuilder.DropTable(
                name: "owners",
                schema: "private");

            migrationBuilder.DropTable(
                name: "parcels",
                schema: "cadastre");

            migrationBuilder.DropTable(
                name: "construction_types",
                schema: "cadastre");

            migrationBuilder.DropTable(
                name: "valuation_zones",
                schema: "cadastre");
        }
    }
}
