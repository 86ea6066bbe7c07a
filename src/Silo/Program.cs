// The silo host: an Orleans silo running the Dspy grains, plus health endpoints. Configuration (appsettings.json and
// environment, e.g. Dspy__Cluster__Mode=Azure) selects embedded or Azure mode; see Hosting/DspyClusterOptions.cs.
using Dspy.Silo;

var builder = WebApplication.CreateBuilder(args);
builder.AddDspyCluster();

var app = builder.Build();
app.MapDspyHealth();
app.MapGet("/", () => "Dspy.Orleans silo");
await app.RunAsync();
