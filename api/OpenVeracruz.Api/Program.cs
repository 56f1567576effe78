using OpenVeracruz.Api;

var builder = WebApplication.CreateBuilder(args);
builder.AddOpenVeracruz();
var app = builder.Build();
await app.PrepareAsync();
app.UseOpenVeracruz();
app.Run();

/// <summary>Entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
