using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenVeracruz.Platform.Data.Migrations
{
    /// <inheritdoc />
    public partial class OwnersOutliveRetiredParcels : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_owners_parcels_parcel_id",
                schema: "private",
                table: "owners");

            migrationBuilder.AlterColumn<long>(
                name: "parcel_id",
                schema: "private",
                table: "owners",
                type: "bigint",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "bigint");

            migrationBuilder.AddColumn<string>(
                name: "clave",
                schema: "private",
                table: "owners",
                type: "character varying(12)",
                maxLength: 12,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "retired_at",
                schema: "private",
                table: "owners",
                type: "timestamp with time zone",
                nullable: true);

            // owners recorded before this migration learn the clave of their parcel
            migrationBuilder.Sql("UPDATE private.owners o SET clave = p.clave FROM cadastre.parcels p WHERE p.id = o.parcel_id AND o.clave IS NULL;");

            migrationBuilder.CreateIndex(
                name: "IX_owners_clave",
                schema: "private",
                table: "owners",
                column: "clave");

            migrationBuilder.AddForeignKey(
                name: "FK_owners_parcels_parcel_id",
                schema: "private",
                table: "owners",
                column: "parcel_id",
                principalSchema: "cadastre",
                principalTable: "parcels",
                principalColumn: "id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_owners_parcels_parcel_id",
                schema: "private",
                table: "owners");

            migrationBuilder.DropIndex(
                name: "IX_owners_clave",
                schema: "private",
                table: "owners");

            migrationBuilder.DropColumn(
                name: "clave",
                schema: "private",
                table: "owners");

            migrationBuilder.DropColumn(
                name: "retired_at",
                schema: "private",
                table: "owners");

            migrationBuilder.AlterColumn<long>(
                name: "parcel_id",
                schema: "private",
                table: "owners",
                type: "bigint",
                nullable: false,
                defaultValue: 0L,
                oldClrType: typeof(long),
                oldType: "bigint",
                oldNullable: true);

            migrationBuilder.AddForeignKey(
                name: "FK_owners_parcels_parcel_id",
                schema: "private",
                table: "owners",
                column: "parcel_id",
                principalSchema: "cadastre",
                principalTable: "parcels",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
