using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Azure.Data.Tables;

namespace Dspy.Grains.Tests.Storage;

/// <summary>The grain states as Orleans' Azure Table provider stored them, and the blobs they name.</summary>
internal static partial class StoredGrainStates
{
    /// <summary>The JSON of every grain state in <paramref name="table"/> (binary <c>Data</c>, <c>Data1</c>.. properties joined), by partition key.</summary>
    public static async Task<Dictionary<string, string>> ReadAsync(string connectionString, string table)
    {
        var rows = await new TableServiceClient(connectionString).GetTableClient(table).QueryAsync<TableEntity>().ToListAsync();
        return rows.ToDictionary(r => r.PartitionKey + "/" + r.RowKey, r => Encoding.UTF8.GetString(r
            .Where(kv => kv.Key.StartsWith("Data", StringComparison.Ordinal) && kv.Value is byte[] or BinaryData)
            .OrderBy(kv => kv.Key == "Data" ? 0 : int.Parse(kv.Key["Data".Length..], CultureInfo.InvariantCulture))
            .SelectMany(kv => kv.Value is byte[] b ? b : ((BinaryData)kv.Value).ToArray()).ToArray()));
    }

    /// <summary>The blob names a state's JSON holds.</summary>
    public static IEnumerable<string> BlobNames(string json) => BlobName().Matches(json).Select(m => m.Groups[1].Value);

    /// <summary>
    /// Asserts that every blob a stored state names exists with the content its name says (a state never names a missing
    /// blob); returns the names.
    /// </summary>
    public static async Task<List<string>> AssertNamedBlobsExistAsync(string connectionString, string table, string container)
    {
        var blobs = new BlobPayloadStore(connectionString, container);
        var named = (await ReadAsync(connectionString, table)).Values.SelectMany(BlobNames).Distinct().ToList();
        foreach (var name in named)
        {
            var (_, problem) = await blobs.DownloadNamedByContentAsync(name);
            Assert.True(problem is null, $"a stored state names the blob {name}, but {problem}");
        }
        return named;
    }

    [GeneratedRegex("\"((?:cells|candidates|pareto|runs|datasets)/[^\"]+?\\.json)\"")]
    private static partial Regex BlobName();
}
