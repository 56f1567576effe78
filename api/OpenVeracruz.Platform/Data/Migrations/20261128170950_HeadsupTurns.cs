using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenVeracruz.Platform.Data.Migrations
{
    /// <inheritdoc />
    public partial class HeadsupTurns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "heads_up_at",
                schema: "appointments",
                table: "turns",
                type: "timestamp with time zone",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "heads_up_at",
                schema: "appointments",
                table: "turns");
        }
    }
}
