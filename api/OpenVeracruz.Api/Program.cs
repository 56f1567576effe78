using OpenVeracruz.Api;

var builder = WebApplication.CreateBuilder(args);
builder.AddOpenVeracruz();
var app = builder.Build();
await app.PrepareAsync();
// the start's work (migrations, bundled data, seeds) leaves a heap the requests never need: give it back to the system
GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
app.UseOpenVeracruz();
app.Run();

/// <summary>Entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
