using System;
using Microsoft.EntityFrameworkCore.Migrations;
using NetTopologySuite.Geometries;

#nullable disable

namespace OpenVeracruz.Platform.Data.Migrations
{
    /// <inheritdoc />
    public partial class Catalog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:PostgresExtension:postgis", ",,")
                .Annotation("Npgsql:PostgresExtension:unaccent", ",,")
                .OldAnnotation("Npgsql:PostgresExtension:postgis", ",,");

            migrationBuilder.CreateTable(
                name: "groups",
                schema: "catalog",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    title = table.Column<string>(type: "text", nullable: false),
                    description = table.Column<string>(type: "text", nullable: false),
                    created = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_groups", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "organizations",
                schema: "catalog",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    title = table.Column<string>(type: "text", nullable: false),
                    description = table.Column<string>(type: "text", nullable: false),
                    image_url = table.Column<string>(type: "text", nullable: false),
                    created = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_organizations", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "datasets",
                schema: "catalog",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    title = table.Column<string>(type: "text", nullable: false),
                    notes = table.Column<string>(type: "text", nullable: false),
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    license_id = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    @private = table.Column<bool>(name: "private", type: "boolean", nullable: false),
                    state = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    source_url = table.Column<string>(type: "text", nullable: false),
                    source_name = table.Column<string>(type: "text", nullable: false),
                    attribution = table.Column<string>(type: "text", nullable: false),
                    version = table.Column<string>(type: "text", nullable: false),
                    layer_id = table.Column<string>(type: "text", nullable: true),
                    synthetic = table.Column<bool>(type: "boolean", nullable: false),
                    update_frequency = table.Column<string>(type: "text", nullable: false),
                    temporal_coverage = table.Column<string>(type: "text", nullable: false),
                    spatial = table.Column<Polygon>(type: "geometry(Polygon,4326)", nullable: true),
                    metadata_created = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    metadata_modified = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_datasets", x => x.id);
                    table.ForeignKey(
                        name: "FK_datasets_organizations_organization_id",
                        column: x => x.organization_id,
                        principalSchema: "catalog",
                        principalTable: "organizations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "dataset_groups",
                schema: "catalog",
                columns: table => new
                {
                    dataset_id = table.Column<Guid>(type: "uuid", nullable: false),
                    group_id = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_dataset_groups", x => new { x.dataset_id, x.group_id });
                    table.ForeignKey(
                        name: "FK_dataset_groups_datasets_dataset_id",
                        column: x => x.dataset_id,
                        principalSchema: "catalog",
                        principalTable: "datasets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_dataset_groups_groups_group_id",
                        column: x => x.group_id,
                        principalSchema: "catalog",
                        principalTable: "groups",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "dataset_tags",
                schema: "catalog",
                columns: table => new
                {
                    dataset_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_dataset_tags", x => new { x.dataset_id, x.name });
                    table.ForeignKey(
                        name: "FK_dataset_tags_datasets_dataset_id",
                        column: x => x.dataset_id,
                        principalSchema: "catalog",
                        principalTable: "datasets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "resources",
                schema: "catalog",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    dataset_id = table.Column<Guid>(type: "uuid", nullable: false),
                    position = table.Column<int>(type: "integer", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    description = table.Column<string>(type: "text", nullable: false),
                    format = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    mimetype = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    url = table.Column<string>(type: "text", nullable: false),
                    layer_id = table.Column<string>(type: "text", nullable: true),
                    datastore_active = table.Column<bool>(type: "boolean", nullable: false),
                    state = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    created = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    last_modified = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    download_count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_resources", x => x.id);
                    table.ForeignKey(
                        name: "FK_resources_datasets_dataset_id",
                        column: x => x.dataset_id,
                        principalSchema: "catalog",
                        principalTable: "datasets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_dataset_groups_group_id",
                schema: "catalog",
                table: "dataset_groups",
                column: "group_id");

            migrationBuilder.CreateIndex(
                name: "IX_dataset_tags_name",
                schema: "catalog",
                table: "dataset_tags",
                column: "name");

            migrationBuilder.CreateIndex(
                name: "IX_datasets_name",
                schema: "catalog",
                table: "datasets",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_datasets_organization_id",
                schema: "catalog",
                table: "datasets",
                column: "organization_id");

            migrationBuilder.CreateIndex(
                name: "IX_datasets_spatial",
                schema: "catalog",
                table: "datasets",
                column: "spatial")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "IX_groups_name",
                schema: "catalog",
                table: "groups",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_organizations_name",
                schema: "catalog",
                table: "organizations",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_resources_dataset_id",
                schema: "catalog",
                table: "resources",
                column: "dataset_id");

            migrationBuilder.CreateIndex(
                name: "IX_resources_url",
                schema: "catalog",
                table: "resources",
                column: "url");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "dataset_groups",
                schema: "catalog");

            migrationBuilder.DropTable(
                name: "dataset_tags",
                schema: "catalog");

            migrationBuilder.DropTable(
                name: "resources",
                schema: "catalog");

            migrationBuilder.DropTable(
                name: "groups",
                schema: "catalog");

            migrationBuilder.DropTable(
                name: "datasets",
                schema: "catalog");

            migrationBuilder.DropTable(
                name: "organizations",
                schema: "catalog");

            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:PostgresExtension:postgis", ",,")
                .OldAnnotation("Npgsql:PostgresExtension:postgis", ",,")
                .OldAnnotation("Npgsql:PostgresExtension:unaccent", ",,");
        }
    }
}
