namespace OpenVeracruz.Tests;

// The test collections. Each is one host on a Kestrel port of its own, one database copied from the prepared template and,
// for browser tests, one Chromium (PlatformFixture). Collections run in parallel and the classes of one collection one
// after another, so the suite lasts about as long as its longest collection: keep them of similar length, and give a new
// feature a line of its own here. CatalogReads and Doors only read: their catalog-wide lists and counts are the template's.

[CollectionDefinition(nameof(CadastreEditing))] public sealed class CadastreEditing : PlatformFixture, ICollectionFixture<CadastreEditing>;
[CollectionDefinition(nameof(CatalogReads))] public sealed class CatalogReads : PlatformFixture, ICollectionFixture<CatalogReads>;
[CollectionDefinition(nameof(CatalogWrites))] public sealed class CatalogWrites : PlatformFixture, ICollectionFixture<CatalogWrites>;
[CollectionDefinition(nameof(Doors))] public sealed class Doors : PlatformFixture, ICollectionFixture<Doors>;
[CollectionDefinition(nameof(StaffAccounts))] public sealed class StaffAccounts : PlatformFixture, ICollectionFixture<StaffAccounts>;
[CollectionDefinition(nameof(MapBrowser))] public sealed class MapBrowser : PlatformFixture, ICollectionFixture<MapBrowser>;
[CollectionDefinition(nameof(CatalogBrowser))] public sealed class CatalogBrowser : PlatformFixture, ICollectionFixture<CatalogBrowser>;
[CollectionDefinition(nameof(EditorBrowser))] public sealed class EditorBrowser : PlatformFixture, ICollectionFixture<EditorBrowser>;
[CollectionDefinition(nameof(CatalogMembers))] public sealed class CatalogMembers : PlatformFixture, ICollectionFixture<CatalogMembers>;
[CollectionDefinition(nameof(HostileInput))] public sealed class HostileInput : PlatformFixture, ICollectionFixture<HostileInput>;
[CollectionDefinition(nameof(GisClients))] public sealed class GisClients : PlatformFixture, ICollectionFixture<GisClients>;
[CollectionDefinition(nameof(CeroFilas))] public sealed class CeroFilas : PlatformFixture, ICollectionFixture<CeroFilas>;
[CollectionDefinition(nameof(WifiSpaces))] public sealed class WifiSpaces : PlatformFixture, ICollectionFixture<WifiSpaces>;
[CollectionDefinition(nameof(CeroFilasBackOffice))] public sealed class CeroFilasBackOffice : PlatformFixture, ICollectionFixture<CeroFilasBackOffice>;
[CollectionDefinition(nameof(Cql2Filtering))] public sealed class Cql2Filtering : PlatformFixture, ICollectionFixture<Cql2Filtering>;
[CollectionDefinition(nameof(VectorTiles))] public sealed class VectorTiles : PlatformFixture, ICollectionFixture<VectorTiles>;
[CollectionDefinition(nameof(ItMaintenance))] public sealed class ItMaintenance : PlatformFixture, ICollectionFixture<ItMaintenance>;
[CollectionDefinition(nameof(WifiBrowser))] public sealed class WifiBrowser : PlatformFixture, ICollectionFixture<WifiBrowser>;
[CollectionDefinition(nameof(Multipagos))] public sealed class Multipagos : PlatformFixture, ICollectionFixture<Multipagos>;
[CollectionDefinition(nameof(CeroFilasBrowser))] public sealed class CeroFilasBrowser : PlatformFixture, ICollectionFixture<CeroFilasBrowser>;
[CollectionDefinition(nameof(MultipagosBrowser))] public sealed class MultipagosBrowser : PlatformFixture, ICollectionFixture<MultipagosBrowser>;
[CollectionDefinition(nameof(ScaleOut))] public sealed partial class ScaleOut : PlatformFixture, ICollectionFixture<ScaleOut>;
