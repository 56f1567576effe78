using System;
using Microsoft.EntityFrameworkCore.Migrations;
using NetTopologySuite.Geometries;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpenVeracruz.Platform.Data.Migrations
{
    /// <inheritdoc />
    public partial class PayMultipagos : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "payments");

            // order numbers are drawn before the insert: the reference (línea de captura) carries the number
            migrationBuilder.Sql("CREATE SEQUENCE payments.order_numbers AS bigint START 1 MAXVALUE 9999999999;");

            migrationBuilder.CreateTable(
                name: "bank_files",
                schema: "payments",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    imported_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    imported_by = table.Column<string>(type: "text", nullable: false),
                    lines = table.Column<int>(type: "integer", nullable: false),
                    imported = table.Column<int>(type: "integer", nullable: false),
                    rejected = table.Column<int>(type: "integer", nullable: false),
                    report = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_bank_files", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "concepts",
                schema: "payments",
                columns: table => new
                {
                    code = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    number = table.Column<int>(type: "integer", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    legal_basis = table.Column<string>(type: "text", nullable: false),
                    amount_rule = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    fixed_amount = table.Column<decimal>(type: "numeric(14,2)", precision: 14, scale: 2, nullable: true),
                    active = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_concepts", x => x.code);
                    table.CheckConstraint("ck_concepts_rule", "(amount_rule = 'predial' AND fixed_amount IS NULL) OR (amount_rule = 'fixed' AND fixed_amount > 0)");
                });

            migrationBuilder.CreateTable(
                name: "gateway_intents",
                schema: "payments",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    reference = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    amount = table.Column<decimal>(type: "numeric(14,2)", precision: 14, scale: 2, nullable: false),
                    status = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    confirmed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_gateway_intents", x => x.id);
                    table.CheckConstraint("ck_gateway_intents_status", "status IN ('requires_confirmation', 'succeeded', 'declined')");
                });

            migrationBuilder.CreateTable(
                name: "idempotency_keys",
                schema: "payments",
                columns: table => new
                {
                    scope = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    key = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    request_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    status = table.Column<int>(type: "integer", nullable: false),
                    response = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_idempotency_keys", x => new { x.scope, x.key });
                });

            migrationBuilder.CreateTable(
                name: "kiosks",
                schema: "payments",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    code = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    address = table.Column<string>(type: "text", nullable: false),
                    locality_cvegeo = table.Column<string>(type: "character varying(9)", maxLength: 9, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    status_since = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    methods = table.Column<string>(type: "text", nullable: false),
                    hours = table.Column<string>(type: "text", nullable: false),
                    location = table.Column<string>(type: "text", nullable: false),
                    geom = table.Column<Point>(type: "geometry(Point,4326)", nullable: false),
                    last_heartbeat_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_kiosks", x => x.id);
                    table.CheckConstraint("ck_kiosks_status", "status IN ('operating', 'out_of_service', 'no_paper', 'no_cash')");
                });

            migrationBuilder.CreateTable(
                name: "predial_parameters",
                schema: "payments",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    year = table.Column<int>(type: "integer", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    rates = table.Column<string>(type: "jsonb", nullable: false),
                    early_discounts = table.Column<string>(type: "jsonb", nullable: false),
                    vulnerable_discount_percent = table.Column<decimal>(type: "numeric(6,3)", precision: 6, scale: 3, nullable: false),
                    due_month = table.Column<int>(type: "integer", nullable: false),
                    surcharge_monthly_percent = table.Column<decimal>(type: "numeric(6,3)", precision: 6, scale: 3, nullable: false),
                    surcharge_per_year_percent = table.Column<decimal>(type: "numeric(6,3)", precision: 6, scale: 3, nullable: false),
                    max_surcharge_months = table.Column<int>(type: "integer", nullable: false),
                    minimum_amount = table.Column<decimal>(type: "numeric(14,2)", precision: 14, scale: 2, nullable: false),
                    rounding = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    legal_basis = table.Column<string>(type: "text", nullable: false),
                    effective_from = table.Column<DateOnly>(type: "date", nullable: false),
                    valid_from = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    valid_to = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    changed_by = table.Column<string>(type: "text", nullable: false),
                    reason = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_predial_parameters", x => x.id);
                    table.CheckConstraint("ck_predial_parameters_ranges", "due_month BETWEEN 1 AND 12 AND vulnerable_discount_percent BETWEEN 0 AND 100 AND surcharge_monthly_percent BETWEEN 0 AND 100 AND surcharge_per_year_percent BETWEEN 0 AND 100 AND max_surcharge_months >= 0 AND minimum_amount >= 0");
                    table.CheckConstraint("ck_predial_parameters_rounding", "rounding IN ('peso', 'centavo')");
                });

            migrationBuilder.CreateTable(
                name: "vulnerable_discounts",
                schema: "payments",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    clave = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    year = table.Column<int>(type: "integer", nullable: false),
                    kind = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    verified_by = table.Column<string>(type: "text", nullable: false),
                    verified_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_vulnerable_discounts", x => x.id);
                    table.CheckConstraint("ck_vulnerable_discounts_kind", "kind IN ('senior', 'retiree', 'disability')");
                });

            migrationBuilder.CreateTable(
                name: "webhook_receipts",
                schema: "payments",
                columns: table => new
                {
                    event_id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    received_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    payment_id = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_webhook_receipts", x => x.event_id);
                });

            migrationBuilder.CreateTable(
                name: "orders",
                schema: "payments",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false),
                    reference = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    concept_code = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    clave = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    years = table.Column<int[]>(type: "integer[]", nullable: false),
                    lines = table.Column<string>(type: "jsonb", nullable: false),
                    amount = table.Column<decimal>(type: "numeric(14,2)", precision: 14, scale: 2, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    state = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    paid_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_orders", x => x.id);
                    table.CheckConstraint("ck_orders_amount", "amount > 0");
                    table.CheckConstraint("ck_orders_state", "state IN ('open', 'paid', 'superseded')");
                    table.ForeignKey(
                        name: "FK_orders_concepts_concept_code",
                        column: x => x.concept_code,
                        principalSchema: "payments",
                        principalTable: "concepts",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "gateway_events",
                schema: "payments",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    intent_id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    type = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    payload = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    delivered_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_gateway_events", x => x.id);
                    table.ForeignKey(
                        name: "FK_gateway_events_gateway_intents_intent_id",
                        column: x => x.intent_id,
                        principalSchema: "payments",
                        principalTable: "gateway_intents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "kiosk_keys",
                schema: "payments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    kiosk_id = table.Column<int>(type: "integer", nullable: false),
                    hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    prefix = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    created = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: false),
                    revoked_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    revoked_by = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_kiosk_keys", x => x.id);
                    table.ForeignKey(
                        name: "FK_kiosk_keys_kiosks_kiosk_id",
                        column: x => x.kiosk_id,
                        principalSchema: "payments",
                        principalTable: "kiosks",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "payments",
                schema: "payments",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    order_id = table.Column<long>(type: "bigint", nullable: false),
                    reference = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    channel = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    method = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    amount = table.Column<decimal>(type: "numeric(14,2)", precision: 14, scale: 2, nullable: false),
                    received_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    recorded_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    kiosk_id = table.Column<int>(type: "integer", nullable: true),
                    external_id = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: true),
                    status = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    refund_reason = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_payments", x => x.id);
                    table.CheckConstraint("ck_payments_amount", "amount > 0");
                    table.CheckConstraint("ck_payments_channel", "channel IN ('kiosk', 'online', 'bank')");
                    table.CheckConstraint("ck_payments_status", "status IN ('applied', 'refund') AND (status = 'refund') = (refund_reason IS NOT NULL)");
                    table.ForeignKey(
                        name: "FK_payments_kiosks_kiosk_id",
                        column: x => x.kiosk_id,
                        principalSchema: "payments",
                        principalTable: "kiosks",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_payments_orders_order_id",
                        column: x => x.order_id,
                        principalSchema: "payments",
                        principalTable: "orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "settled_years",
                schema: "payments",
                columns: table => new
                {
                    clave = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    year = table.Column<int>(type: "integer", nullable: false),
                    payment_id = table.Column<long>(type: "bigint", nullable: true),
                    source = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    settled_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_settled_years", x => new { x.clave, x.year });
                    table.CheckConstraint("ck_settled_years_source", "source IN ('historic', 'payment') AND (source = 'payment') = (payment_id IS NOT NULL)");
                    table.ForeignKey(
                        name: "FK_settled_years_payments_payment_id",
                        column: x => x.payment_id,
                        principalSchema: "payments",
                        principalTable: "payments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_bank_files_sha256",
                schema: "payments",
                table: "bank_files",
                column: "sha256");

            migrationBuilder.CreateIndex(
                name: "IX_concepts_number",
                schema: "payments",
                table: "concepts",
                column: "number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_gateway_events_intent_id",
                schema: "payments",
                table: "gateway_events",
                column: "intent_id");

            migrationBuilder.CreateIndex(
                name: "IX_kiosk_keys_hash",
                schema: "payments",
                table: "kiosk_keys",
                column: "hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_kiosk_keys_kiosk_id",
                schema: "payments",
                table: "kiosk_keys",
                column: "kiosk_id");

            migrationBuilder.CreateIndex(
                name: "IX_kiosks_code",
                schema: "payments",
                table: "kiosks",
                column: "code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_kiosks_geom",
                schema: "payments",
                table: "kiosks",
                column: "geom")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "IX_orders_concept_code",
                schema: "payments",
                table: "orders",
                column: "concept_code");

            migrationBuilder.CreateIndex(
                name: "IX_orders_reference",
                schema: "payments",
                table: "orders",
                column: "reference",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_orders_one_open",
                schema: "payments",
                table: "orders",
                columns: new[] { "clave", "concept_code" },
                unique: true,
                filter: "state = 'open'");

            migrationBuilder.CreateIndex(
                name: "IX_payments_channel_external_id",
                schema: "payments",
                table: "payments",
                columns: new[] { "channel", "external_id" },
                unique: true,
                filter: "external_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_payments_kiosk_id",
                schema: "payments",
                table: "payments",
                column: "kiosk_id");

            migrationBuilder.CreateIndex(
                name: "IX_payments_received_at",
                schema: "payments",
                table: "payments",
                column: "received_at");

            migrationBuilder.CreateIndex(
                name: "ux_payments_one_applied_per_order",
                schema: "payments",
                table: "payments",
                column: "order_id",
                unique: true,
                filter: "status = 'applied'");

            migrationBuilder.CreateIndex(
                name: "IX_predial_parameters_year_version",
                schema: "payments",
                table: "predial_parameters",
                columns: new[] { "year", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_predial_parameters_current",
                schema: "payments",
                table: "predial_parameters",
                column: "year",
                unique: true,
                filter: "valid_to IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_settled_years_payment_id",
                schema: "payments",
                table: "settled_years",
                column: "payment_id");

            migrationBuilder.CreateIndex(
                name: "IX_vulnerable_discounts_clave_year",
                schema: "payments",
                table: "vulnerable_discounts",
                columns: new[] { "clave", "year" },
                unique: true);

            // the layer payment_kiosks: public columns only (no heartbeat, no keys), with the kiosk's payments of today in Veracruz
            migrationBuilder.Sql("""
                CREATE VIEW payments.kiosk_layer AS
                SELECT k.code, k.name, k.address, k.status, k.methods, k.hours, k.location,
                       (SELECT count(*) FROM payments.payments p
                        WHERE p.kiosk_id = k.id AND p.status = 'applied'
                          AND p.received_at >= (date_trunc('day', now() AT TIME ZONE 'America/Mexico_City') AT TIME ZONE 'America/Mexico_City'))::int AS transactions_today,
                       k.geom
                FROM payments.kiosks k;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP VIEW payments.kiosk_layer;");

            migrationBuilder.DropTable(
                name: "bank_files",
                schema: "payments");

            migrationBuilder.DropTable(
                name: "gateway_events",
                schema: "payments");

            migrationBuilder.DropTable(
                name: "idempotency_keys",
                schema: "payments");

            migrationBuilder.DropTable(
                name: "kiosk_keys",
                schema: "payments");

            migrationBuilder.DropTable(
                name: "predial_parameters",
                schema: "payments");

            migrationBuilder.DropTable(
                name: "settled_years",
                schema: "payments");

            migrationBuilder.DropTable(
                name: "vulnerable_discounts",
                schema: "payments");

            migrationBuilder.DropTable(
                name: "webhook_receipts",
                schema: "payments");

            migrationBuilder.DropTable(
                name: "gateway_intents",
                schema: "payments");

            migrationBuilder.DropTable(
                name: "payments",
                schema: "payments");

            migrationBuilder.DropTable(
                name: "kiosks",
                schema: "payments");

            migrationBuilder.DropTable(
                name: "orders",
                schema: "payments");

            migrationBuilder.DropTable(
                name: "concepts",
                schema: "payments");
            migrationBuilder.Sql("DROP SEQUENCE payments.order_numbers;");
        }
    }
}
