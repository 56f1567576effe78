using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenVeracruz.Platform.Data.Migrations
{
    /// <inheritdoc />
    public partial class Uploads : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "layers",
                schema: "catalog",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    title = table.Column<string>(type: "text", nullable: false),
                    table_name = table.Column<string>(type: "character varying(127)", maxLength: 127, nullable: false),
                    geometry_type = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    key_column = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    properties = table.Column<string>(type: "jsonb", nullable: false),
                    dataset_id = table.Column<Guid>(type: "uuid", nullable: false),
                    resource_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_layers", x => x.id);
                    table.ForeignKey(
                        name: "FK_layers_datasets_dataset_id",
                        column: x => x.dataset_id,
                        principalSchema: "catalog",
                        principalTable: "datasets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_layers_resources_resource_id",
                        column: x => x.resource_id,
                        principalSchema: "catalog",
                        principalTable: "resources",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "resource_versions",
                schema: "catalog",
                columns: table => new
                {
                    resource_id = table.Column<Guid>(type: "uuid", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    row_count = table.Column<long>(type: "bigint", nullable: true),
                    rejected_count = table.Column<int>(type: "integer", nullable: true),
                    original_name = table.Column<string>(type: "text", nullable: false),
                    stored_path = table.Column<string>(type: "text", nullable: false),
                    format = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    size_bytes = table.Column<long>(type: "bigint", nullable: false),
                    epsg = table.Column<int>(type: "integer", nullable: true),
                    uploaded_by = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_resource_versions", x => new { x.resource_id, x.version });
                    table.ForeignKey(
                        name: "FK_resource_versions_resources_resource_id",
                        column: x => x.resource_id,
                        principalSchema: "catalog",
                        principalTable: "resources",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "import_jobs",
                schema: "catalog",
                columns: table => new
                {
                    resource_id = table.Column<Guid>(type: "uuid", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    state = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    rows_done = table.Column<long>(type: "bigint", nullable: false),
                    rows_total = table.Column<long>(type: "bigint", nullable: true),
                    rejected = table.Column<int>(type: "integer", nullable: false),
                    repaired = table.Column<int>(type: "integer", nullable: false),
                    message = table.Column<string>(type: "text", nullable: true),
                    report = table.Column<string>(type: "jsonb", nullable: false),
                    queued_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    started_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_import_jobs", x => new { x.resource_id, x.version });
                    table.ForeignKey(
                        name: "FK_import_jobs_resource_versions_resource_id_version",
                        columns: x => new { x.resource_id, x.version },
                        principalSchema: "catalog",
                        principalTable: "resource_versions",
                        principalColumns: new[] { "resource_id", "version" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_layers_dataset_id",
                schema: "catalog",
                table: "layers",
                column: "dataset_id");

            migrationBuilder.CreateIndex(
                name: "IX_layers_resource_id",
                schema: "catalog",
                table: "layers",
                column: "resource_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_layers_table_name",
                schema: "catalog",
                table: "layers",
                column: "table_name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "import_jobs",
                schema: "catalog");

            migrationBuilder.DropTable(
                name: "layers",
                schema: "catalog");

            migrationBuilder.DropTable(
                name: "resource_versions",
                schema: "catalog");
        }
    }
}
