using Dspy.Cli;
using Microsoft.Extensions.AI;
using Orleans.TestingHost;

namespace Dspy.Grains.Tests.Gateway;

/// <summary>A 3-silo cluster calling one <c>dspy sim serve</c> endpoint through the gateway, with tenant quotas configured on every silo.</summary>
public sealed class TenantClusterFixture : IAsyncLifetime
{
    public static readonly TenantQuota Small = new() { RequestsPerWindow = 3, Window = TimeSpan.FromMinutes(10) };
    public static readonly TenantQuota Big = new() { RequestsPerWindow = 1000 };
    public static readonly TenantQuota Runner = new() { RequestsPerWindow = 1000, TokensPerWindow = 10_000_000 };

    public SimServer Server { get; private set; } = null!;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await SimServer.StartAsync(new SimServerOptions { Rpm = 600 }, new SimChatClient(new SimOptions()));
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((_, silo) => silo.AddDspyGrains(o =>
        {
            o.LmModel = "openai/sim";
            o.LmApiBase = Server.ApiBase.ToString();
            o.LmApiKey = "sim-key";
            o.LmCache = false;
            o.LmRequestsPerWindow = 600;
            o.TenantQuotas["small"] = Small;
            o.TenantQuotas["big"] = Big;
            o.TenantQuotas["runner"] = Runner;
        }));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Server.DisposeAsync();
    }
}

/// <summary>Per-tenant quotas above the endpoint's limits, on a real cluster.</summary>
public sealed class TenantQuotaClusterTests(TenantClusterFixture fixture) : IClassFixture<TenantClusterFixture>
{
    private IGrainFactory Grains => fixture.Cluster.Client;

    [Fact]
    public async Task Two_tenants_on_one_endpoint_the_one_with_a_low_quota_is_held_to_it_while_the_other_proceeds()
    {
        var spec = new ProgramSpec("predict", Samples.Signature("intent"));
        var program = spec.Build();
        Task<ProgramEvaluation> EvaluateAs(string tenant, int offset, CancellationToken ct)
        {
            var evaluator = new ClusterProgramEvaluator(Grains, new ClusterProgramEvaluatorOptions { RunId = "tenant-" + tenant, Program = spec, ShardSize = 2 });
            var request = new ProgramEvaluationRequest { Program = program, Examples = Samples.Load("intent", "train", 20, offset, "text"), Metric = Metrics.Get("exact_match") };
            using (TenantContext.Use(tenant)) return evaluator.EvaluateAsync(request, ct);
        }

        using var stopSmall = new CancellationTokenSource();
        var small = EvaluateAs("small", 0, stopSmall.Token);
        var big = await EvaluateAs("big", 100, CancellationToken.None);

        Assert.All(big.Results, r => Assert.True(r.Succeeded, r.Error?.Message));
        var bigUsage = await Grains.GetGrain<ITenantGrain>("big").GetUsageAsync();
        Assert.NotNull(bigUsage);
        Assert.Equal(20, bigUsage.Requests);
        // All of "big"'s 20 LM calls went through while "small" had 3 permits in its 10 minutes at most, and waited.
        var smallUsage = await Grains.GetGrain<ITenantGrain>("small").GetUsageAsync();
        Assert.NotNull(smallUsage);
        Assert.InRange(smallUsage.Requests, 1, 3);
        Assert.True(smallUsage.Refused > 0, "small was never refused");
        Assert.False(small.IsCompleted, "small's 20 examples cannot finish on 3 requests");

        await stopSmall.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => small);
        Assert.InRange((await Grains.GetGrain<ITenantGrain>("small").GetUsageAsync())!.Requests, 1, 3);
    }

    [Fact]
    public async Task A_tenant_over_its_quota_is_refused_with_when_to_ask_again_and_bad_quotas_are_refused_clearly()
    {
        var tenant = Grains.GetGrain<ITenantGrain>("refusal");
        Assert.Null(await tenant.GetUsageAsync());
        var unconfigured = await Assert.ThrowsAsync<InvalidOperationException>(() => tenant.AcquireAsync(new PermitRequest { Silo = "test" }));
        Assert.Contains("Tenant 'refusal' has no quota", unconfigured.Message, StringComparison.Ordinal);

        var bad = await Assert.ThrowsAsync<ArgumentException>(() => tenant.ConfigureQuotaAsync(new TenantQuota { RequestsPerWindow = 5, Window = TimeSpan.Zero }));
        Assert.Equal("Tenant 'refusal' quota: Window must be positive, not 00:00:00.", bad.Message);

        await tenant.ConfigureQuotaAsync(new TenantQuota { RequestsPerWindow = 1, Window = TimeSpan.FromMinutes(10) });
        Assert.Equal(1, (await tenant.AcquireAsync(new PermitRequest { Silo = "test", Requests = 2 })).Granted);
        var refused = await tenant.AcquireAsync(new PermitRequest { Silo = "test", Completed = 1 });
        Assert.Equal(0, refused.Granted);
        // The one request counts for the quota's window after it finished: asking before then is pointless.
        Assert.InRange(refused.RetryAfter, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(11));
        var usage = await tenant.GetUsageAsync();
        Assert.Equal((1L, 1L), (usage!.Requests, usage.Refused));
    }

    [Fact]
    public async Task The_gateway_client_waits_out_a_tenant_s_retry_after_and_then_proceeds()
    {
        var quotas = new Dictionary<string, TenantQuota> { ["waiter"] = new() { RequestsPerWindow = 2, Window = TimeSpan.FromSeconds(2) } };
        var inner = new CountingChatClient();
        using var client = new LmGatewayChatClient(inner, Grains, "test-endpoint", limits: null, silo: "test", quotas);
        using (TenantContext.Use("waiter"))
        {
            for (var i = 0; i < 5; i++) Assert.Equal("ok", (await client.GetResponseAsync("hi")).Text);
        }
        // No tenant (or one without a quota): no permit needed.
        await client.GetResponseAsync("hi");
        using (TenantContext.Use("unlisted")) await client.GetResponseAsync("hi");

        Assert.Equal(7, inner.Calls);
        var usage = await Grains.GetGrain<ITenantGrain>("waiter").GetUsageAsync();
        Assert.Equal(5, usage!.Requests);
        Assert.True(usage.Refused > 0, "5 requests on a quota of 2 per 2 s were never refused");
        Assert.Null(await Grains.GetGrain<ITenantGrain>("unlisted").GetUsageAsync());
    }

    [Fact]
    public async Task A_compile_run_carries_its_tenant_to_every_LM_call_on_the_silos()
    {
        var before = fixture.Server.Stats.Served;
        var runs = new CompileRunClient(Grains);
        var spec = new ProgramSpec("predict", Samples.Signature("intent"));
        await runs.SubmitAsync("tenant-run", spec, Samples.Load("intent", "train", 6, 300, "text"), Samples.Load("intent", "dev", 6, 0, "text"),
            "exact_match", "bootstrap-fewshot", c => c with { Tenant = "runner", MaxBootstrappedDemos = 2, MaxLabeledDemos = 2 });
        var status = await runs.WaitAsync("tenant-run");
        Assert.True(status.State == CompileRunState.Completed, status.Error);

        var served = fixture.Server.Stats.Served - before;
        var usage = await Grains.GetGrain<ITenantGrain>("runner").GetUsageAsync();
        Assert.True(served > 0);
        // Every request the server answered for the run took a permit of the run's tenant (bootstrapping on the run's
        // silo and the evaluations on the shards' silos alike); tokens were estimated and then corrected to the usage.
        Assert.Equal(served, usage!.Requests);
        Assert.True(usage.Tokens > 0);
    }

    private sealed class CountingChatClient : IChatClient
    {
        private int _calls;

        public int Calls => _calls;

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
