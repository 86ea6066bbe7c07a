using Azure.Data.Tables;

namespace Dspy.Grains.Tests.Storage;

/// <summary>The size of a stored table entity, by Azure's formula for entity size (what counts against the 1 MiB entity limit).</summary>
internal sealed record TableEntitySize(string PartitionKey, string RowKey, long Bytes)
{
    /// <summary>Every entity of <paramref name="table"/>, largest first.</summary>
    public static async Task<List<TableEntitySize>> MeasureAsync(string connectionString, string table)
    {
        var rows = await new TableServiceClient(connectionString).GetTableClient(table).QueryAsync<TableEntity>().ToListAsync();
        return rows.Select(Of).OrderByDescending(r => r.Bytes).ToList();
    }

    // 4 bytes + the keys in UTF-16 + per property: 8 bytes + its name in UTF-16 + its value (Azure Storage's documented
    // estimate; the system properties PartitionKey, RowKey, Timestamp and odata.etag are counted by the first terms).
    private static TableEntitySize Of(TableEntity row)
    {
        long bytes = 4 + 2L * row.PartitionKey.Length + 2L * row.RowKey.Length + 8;
        foreach (var (name, value) in row)
        {
            if (name is "PartitionKey" or "RowKey" or "Timestamp" or "odata.etag") continue;
            bytes += 8 + 2L * name.Length + value switch
            {
                byte[] b => 4 + b.Length,
                BinaryData d => 4 + d.ToMemory().Length,
                string s => 4 + 2L * s.Length,
                bool => 1,
                int => 4,
                Guid => 16,
                _ => 8,
            };
        }
        return new TableEntitySize(row.PartitionKey, row.RowKey, bytes);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{PartitionKey} / {RowKey}: {Bytes:N0} bytes";
}
