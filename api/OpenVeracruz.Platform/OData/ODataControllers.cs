using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.AspNetCore.OData.Query.Validator;
using Microsoft.AspNetCore.OData.Routing.Controllers;
using Microsoft.EntityFrameworkCore;
using Microsoft.OData;
using Microsoft.OData.Edm;
using Microsoft.OData.ModelBuilder;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.OData;

public static class ODataModel
{
    public const int PageSize = 1000;

    public static IEdmModel Build()
    {
        var b = new ODataConventionModelBuilder { Namespace = "OpenVeracruz", ContainerName = "OpenVeracruz" };
        b.EntitySet<ODataParcel>("Parcels");
        b.EntitySet<ODataLocality>("Localities");
        b.EntitySet<ODataMunicipality>("Municipalities");
        return b.GetEdmModel();
    }

    private static readonly ODataValidationSettings Validation = new()
    {
        AllowedQueryOptions = AllowedQueryOptions.Filter | AllowedQueryOptions.Select | AllowedQueryOptions.OrderBy |
                              AllowedQueryOptions.Top | AllowedQueryOptions.Skip | AllowedQueryOptions.Count | AllowedQueryOptions.Format,
        MaxTop = 1_000_000,
        MaxNodeCount = 200,
    };

    /// <summary>Validates and applies the query options with server paging; malformed OData becomes a 400 problem.</summary>
    public static IActionResult Apply<T>(ControllerBase controller, ODataQueryOptions<T> options, IQueryable<T> query)
    {
        try
        {
            options.Validate(Validation);
            var result = options.ApplyTo(query, new ODataQuerySettings { PageSize = PageSize, EnsureStableOrdering = true });
            return controller.Ok(result);
        }
        catch (Exception e) when (e is ODataException or ArgumentException or InvalidOperationException)
        {
            throw new BadRequestException($"Invalid OData query: {e.Message}", $"Consulta OData inválida: {e.Message}", "query");
        }
    }

    /// <summary>Rows of a registry layer as an OData entity; the table name comes only from the registry.</summary>
    internal static IQueryable<T> FromLayer<T>(AppDbContext db, LayerRegistry registry, string layerId, string columns)
    {
        var sql = "SELECT " + columns + " FROM " + LayerTable(registry, layerId);
        return db.Database.SqlQueryRaw<T>(sql);
    }

    internal static string LayerTable(LayerRegistry registry, string id) =>
        (registry.Find(id) ?? throw new InvalidOperationException($"layer '{id}' is not registered")).QualifiedTable;
}

[ApiExplorerSettings(IgnoreApi = true)]
public sealed class ParcelsController(AppDbContext db) : ODataController
{
    [HttpGet]
    public IActionResult Get(ODataQueryOptions<ODataParcel> options) => ODataModel.Apply(this, options,
        db.Parcels.AsNoTracking().Select(p => new ODataParcel
        {
            Clave = p.Clave, Zone = p.Zone, Block = p.Block, Lot = p.Lot,
            Locality = p.LocalityName, LocalityCvegeo = p.LocalityCvegeo, LandUse = p.LandUse,
            LandAreaM2 = p.LandAreaM2, BuiltAreaM2 = p.BuiltAreaM2,
            ValuationZone = p.ValuationZoneCode, ConstructionType = p.ConstructionTypeCode,
            LandValue = p.LandValue, ConstructionValue = p.ConstructionValue, CadastralValue = p.CadastralValue,
            Longitude = p.Geom.InteriorPoint.X, Latitude = p.Geom.InteriorPoint.Y, Wkt = p.Geom.AsText(),
        }));
}

[ApiExplorerSettings(IgnoreApi = true)]
public sealed class LocalitiesController(AppDbContext db, LayerRegistry registry) : ODataController
{
    [HttpGet]
    public IActionResult Get(ODataQueryOptions<ODataLocality> options) => ODataModel.Apply(this, options,
        ODataModel.FromLayer<ODataLocality>(db, registry, "localities", """
            cvegeo AS "Cvegeo", cve_mun AS "CveMun", cve_loc AS "CveLoc", nom_loc AS "Name", ambito AS "Ambito",
                   pob AS "Population", viv AS "Dwellings",
                   ST_X(ST_PointOnSurface(geom)) AS "Longitude", ST_Y(ST_PointOnSurface(geom)) AS "Latitude", ST_AsText(geom) AS "Wkt"
            """));
}

[ApiExplorerSettings(IgnoreApi = true)]
public sealed class MunicipalitiesController(AppDbContext db, LayerRegistry registry) : ODataController
{
    [HttpGet]
    public IActionResult Get(ODataQueryOptions<ODataMunicipality> options) => ODataModel.Apply(this, options,
        ODataModel.FromLayer<ODataMunicipality>(db, registry, "municipalities", """
            cvegeo AS "Cvegeo", cve_mun AS "CveMun", nom_mun AS "Name", pob AS "Population", viv AS "Dwellings",
                   ST_X(ST_PointOnSurface(geom)) AS "Longitude", ST_Y(ST_PointOnSurface(geom)) AS "Latitude", ST_AsText(geom) AS "Wkt"
            """));
}
