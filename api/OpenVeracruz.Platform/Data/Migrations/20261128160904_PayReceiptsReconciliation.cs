using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpenVeracruz.Platform.Data.Migrations
{
    /// <inheritdoc />
    public partial class PayReceiptsReconciliation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // folios of receipts are numbered without gaps: a number is drawn only once the payment's row is locked
            migrationBuilder.Sql("""
                CREATE SEQUENCE payments.receipt_numbers AS bigint START 1;

                -- open data (refreshed by OpenDataJob): applied payments per day, channel and kiosk or locality; counts and sums only
                CREATE TABLE payments.daily_collection (
                    id text PRIMARY KEY, day date NOT NULL, channel varchar(10) NOT NULL, kiosk_code varchar(20), locality_cvegeo varchar(9),
                    locality text NOT NULL, transactions int NOT NULL, amount numeric(16,2) NOT NULL, geom geometry(Point, 4326) NOT NULL);
                CREATE INDEX ix_daily_collection_geom ON payments.daily_collection USING gist (geom);

                -- the predial of the current fiscal year (Veracruz's calendar) by block, live: paid, partly_paid or owing, parcel counts only;
                -- the outline is the convex hull of the block's parcels (cheap enough to compute on every read)
                CREATE VIEW payments.block_layer AS
                SELECT lpad(b.zone::text, 3, '0') || '-' || lpad(b.block::text, 4, '0') AS id, b.zone, b.block, b.locality, b.fiscal_year,
                       b.parcels, b.paid, CASE WHEN b.paid = b.parcels THEN 'paid' WHEN b.paid = 0 THEN 'owing' ELSE 'partly_paid' END AS status, b.geom
                FROM (SELECT p.zone, p.block, min(p.locality) AS locality, y.fiscal_year, count(*)::int AS parcels, count(s.clave)::int AS paid,
                             ST_Multi(ST_ConvexHull(ST_Collect(p.geom)))::geometry(MultiPolygon, 4326) AS geom
                      FROM cadastre.parcels p
                      CROSS JOIN (SELECT extract(year FROM now() AT TIME ZONE 'America/Mexico_City')::int AS fiscal_year) y
                      LEFT JOIN payments.settled_years s ON s.clave = p.clave AND s.year = y.fiscal_year
                      GROUP BY p.zone, p.block, y.fiscal_year) b;
                """);

            migrationBuilder.CreateTable(
                name: "receipts",
                schema: "payments",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    folio = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    payment_id = table.Column<long>(type: "bigint", nullable: false),
                    code = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    amount = table.Column<decimal>(type: "numeric(14,2)", precision: 14, scale: 2, nullable: false),
                    concept_name = table.Column<string>(type: "text", nullable: false),
                    issued_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    cancelled_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    cancelled_by = table.Column<string>(type: "text", nullable: true),
                    cancel_reason = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_receipts", x => x.id);
                    table.CheckConstraint("ck_receipts_cancel", "(cancelled_at IS NULL) = (cancel_reason IS NULL) AND (cancelled_at IS NULL) = (cancelled_by IS NULL)");
                    table.ForeignKey(
                        name: "FK_receipts_payments_payment_id",
                        column: x => x.payment_id,
                        principalSchema: "payments",
                        principalTable: "payments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "reconciliation_days",
                schema: "payments",
                columns: table => new
                {
                    day = table.Column<DateOnly>(type: "date", nullable: false),
                    channel = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    received_count = table.Column<int>(type: "integer", nullable: false),
                    received_total = table.Column<decimal>(type: "numeric(16,2)", precision: 16, scale: 2, nullable: false),
                    applied_count = table.Column<int>(type: "integer", nullable: false),
                    applied_total = table.Column<decimal>(type: "numeric(16,2)", precision: 16, scale: 2, nullable: false),
                    refund_count = table.Column<int>(type: "integer", nullable: false),
                    refund_total = table.Column<decimal>(type: "numeric(16,2)", precision: 16, scale: 2, nullable: false),
                    settled_count = table.Column<int>(type: "integer", nullable: false),
                    settled_total = table.Column<decimal>(type: "numeric(16,2)", precision: 16, scale: 2, nullable: false),
                    open_differences = table.Column<int>(type: "integer", nullable: false),
                    run_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_reconciliation_days", x => new { x.day, x.channel });
                });

            migrationBuilder.CreateTable(
                name: "reconciliation_items",
                schema: "payments",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    day = table.Column<DateOnly>(type: "date", nullable: false),
                    channel = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    kind = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    subject = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    expected = table.Column<decimal>(type: "numeric(14,2)", precision: 14, scale: 2, nullable: true),
                    actual = table.Column<decimal>(type: "numeric(14,2)", precision: 14, scale: 2, nullable: true),
                    detected_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    resolved_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    resolved_by = table.Column<string>(type: "text", nullable: true),
                    resolution = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_reconciliation_items", x => x.id);
                    table.CheckConstraint("ck_reconciliation_items_kind", "kind IN ('paid_without_receipt', 'receipt_without_settlement', 'amount_differs', 'settled_without_payment')");
                });

            migrationBuilder.CreateIndex(
                name: "IX_receipts_folio",
                schema: "payments",
                table: "receipts",
                column: "folio",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_receipts_payment_id",
                schema: "payments",
                table: "receipts",
                column: "payment_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_reconciliation_items_day_channel_kind_subject",
                schema: "payments",
                table: "reconciliation_items",
                columns: new[] { "day", "channel", "kind", "subject" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP VIEW payments.block_layer; DROP TABLE payments.daily_collection; DROP SEQUENCE payments.receipt_numbers;");

            migrationBuilder.DropTable(
                name: "receipts",
                schema: "payments");

            migrationBuilder.DropTable(
                name: "reconciliation_days",
                schema: "payments");

            migrationBuilder.DropTable(
                name: "reconciliation_items",
                schema: "payments");
        }
    }
}
