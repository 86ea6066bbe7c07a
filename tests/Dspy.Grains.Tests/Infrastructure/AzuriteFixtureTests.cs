using Azure.Data.Tables;

namespace Dspy.Grains.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class AzuriteFixtureTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task The_started_emulator_serves_tables_on_the_connection_string_it_printed()
    {
        Assert.Contains("TableEndpoint=http://127.0.0.1:", azurite.ConnectionString, StringComparison.Ordinal);
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient("fixturecheck" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateIfNotExistsAsync();
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["Value"] = 42 });
        Assert.Equal(42, (await table.GetEntityAsync<TableEntity>("p", "r")).Value.GetInt32("Value"));
    }
}
