namespace Dspy.Grains.Tests.Storage;

/// <summary>Validation of the storage options: bad values fail at silo start with the option's name.</summary>
public sealed class StorageOptionsTests
{
    [Theory]
    [InlineData("Dspy_Payloads", "Dspy:Grains:BlobContainer")]
    [InlineData("ab", "Dspy:Grains:BlobContainer")]
    [InlineData("dspy--payloads", "Dspy:Grains:BlobContainer")]
    [InlineData("-dspy", "Dspy:Grains:BlobContainer")]
    public void A_bad_blob_container_name_is_rejected(string name, string option)
    {
        var error = Assert.Throws<ArgumentException>(() => new DspyGrainsOptions { BlobContainer = name }.Validate());
        Assert.Contains(option, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Dspy-Cache")]
    [InlineData("1Cache")]
    [InlineData("DspyGrainState")]
    [InlineData("DspyGrainStateReminders")]
    public void A_bad_or_clashing_cache_table_name_is_rejected(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => new DspyGrainsOptions { LmCacheTable = name }.Validate());
        Assert.Contains("Dspy:Grains:LmCacheTable", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(600 * 1024)]
    public void An_inline_dataset_limit_beyond_a_table_entity_is_rejected(int limit)
    {
        var error = Assert.Throws<ArgumentException>(() => new DspyGrainsOptions { DatasetInlineLimitBytes = limit }.Validate());
        Assert.Contains("Dspy:Grains:DatasetInlineLimitBytes", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(300 * 1024)]
    public void A_state_inline_limit_that_would_let_a_record_outgrow_a_table_entity_is_rejected(int limit)
    {
        var error = Assert.Throws<ArgumentException>(() => new DspyGrainsOptions { StateInlineLimitBytes = limit }.Validate());
        Assert.Contains("Dspy:Grains:StateInlineLimitBytes", error.Message, StringComparison.Ordinal);
        new DspyGrainsOptions { StateInlineLimitBytes = 0 }.Validate();
        new DspyGrainsOptions { StateInlineLimitBytes = 256 * 1024 }.Validate();
    }

    [Fact]
    public void The_defaults_are_valid_and_share_the_cache_only_in_azure_mode()
    {
        var memory = new DspyGrainsOptions();
        memory.Validate();
        Assert.False(memory.SharedLmCache);
        var azure = new DspyGrainsOptions { Store = GrainStateStore.AzureTable, AzureStorageConnectionString = "UseDevelopmentStorage=true" };
        azure.Validate();
        Assert.True(azure.SharedLmCache);
        Assert.False(new DspyGrainsOptions { Store = GrainStateStore.AzureTable, LmCache = false }.SharedLmCache);
        Assert.False(new DspyGrainsOptions { Store = GrainStateStore.AzureTable, Lm = new LM("sim", new SimChatClient()) }.SharedLmCache);
    }
}
