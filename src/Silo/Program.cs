// The silo host. Embedded mode (localhost clustering, in-memory storage) until the cluster issue adds Azure mode.
var builder = WebApplication.CreateBuilder(args);
builder.UseOrleans(silo => silo.UseLocalhostClustering().AddMemoryGrainStorageAsDefault());
builder.Services.AddHealthChecks();

var app = builder.Build();
app.MapHealthChecks("/health/live");
app.MapGet("/", () => "Dspy.Orleans silo");
await app.RunAsync();
