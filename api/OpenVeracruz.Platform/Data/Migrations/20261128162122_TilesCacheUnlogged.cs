using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenVeracruz.Platform.Data.Migrations
{
    /// <inheritdoc />
    public partial class TilesCacheUnlogged : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "cache",
                schema: "tiles")
                .Annotation("Npgsql:UnloggedTable", true);
            // MVT bytes are already compact: TOAST them out of line without pglz, which cost more than it saved
            migrationBuilder.Sql("ALTER TABLE tiles.cache ALTER COLUMN bytes SET STORAGE EXTERNAL;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "cache",
                schema: "tiles")
                .OldAnnotation("Npgsql:UnloggedTable", true);
        }
    }
}
