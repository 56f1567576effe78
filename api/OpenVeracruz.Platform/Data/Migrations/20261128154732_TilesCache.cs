using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenVeracruz.Platform.Data.Migrations
{
    /// <inheritdoc />
    public partial class TilesCache : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "tiles");

            migrationBuilder.CreateTable(
                name: "cache",
                schema: "tiles",
                columns: table => new
                {
                    layer = table.Column<string>(type: "text", nullable: false),
                    z = table.Column<int>(type: "integer", nullable: false),
                    x = table.Column<int>(type: "integer", nullable: false),
                    y = table.Column<int>(type: "integer", nullable: false),
                    bytes = table.Column<byte[]>(type: "bytea", nullable: false),
                    size = table.Column<int>(type: "integer", nullable: false),
                    etag = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    created = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    used_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cache", x => new { x.layer, x.z, x.x, x.y });
                });

            migrationBuilder.CreateIndex(
                name: "IX_cache_used_at",
                schema: "tiles",
                table: "cache",
                column: "used_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "cache",
                schema: "tiles");
        }
    }
}
