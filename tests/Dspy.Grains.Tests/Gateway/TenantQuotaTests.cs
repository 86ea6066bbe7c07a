using Microsoft.Extensions.Configuration;

namespace Dspy.Grains.Tests.Gateway;

/// <summary>Tenant quota configuration: validation with clear errors, binding from configuration, the tenant context.</summary>
public sealed class TenantQuotaTests
{
    [Theory]
    [InlineData(0, null, null, 60, "Tenant 'acme' quota: RequestsPerWindow must be at least 1, not 0.")]
    [InlineData(null, -5L, null, 60, "Tenant 'acme' quota: TokensPerWindow must be at least 1, not -5.")]
    [InlineData(null, null, 0, 60, "Tenant 'acme' quota: MaxInFlight must be at least 1, not 0.")]
    [InlineData(10, null, null, 0, "Tenant 'acme' quota: Window must be positive, not 00:00:00.")]
    [InlineData(null, null, null, 60, "Tenant 'acme' quota sets no limit: set RequestsPerWindow, TokensPerWindow or MaxInFlight (or remove the entry).")]
    public void A_bad_quota_is_refused_naming_the_tenant_and_the_setting(int? requests, long? tokens, int? inFlight, int windowSeconds, string message)
    {
        var quota = new TenantQuota { RequestsPerWindow = requests, TokensPerWindow = tokens, MaxInFlight = inFlight, Window = TimeSpan.FromSeconds(windowSeconds) };
        var ex = Assert.Throws<ArgumentException>(() => quota.Validate("acme"));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void A_bad_tenant_id_is_refused()
    {
        var quota = new TenantQuota { RequestsPerWindow = 1 };
        Assert.StartsWith("Tenant id 'a b' must be 1-100 characters", Assert.Throws<ArgumentException>(() => quota.Validate("a b")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => TenantContext.Use(""));
        Assert.Throws<ArgumentException>(() => TenantContext.Use(new string('x', 101)));
    }

    [Fact]
    public void Silo_options_bind_tenant_quotas_from_configuration_and_name_a_bad_one()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dspy:Grains:TenantQuotas:acme:RequestsPerWindow"] = "30",
            ["Dspy:Grains:TenantQuotas:acme:TokensPerWindow"] = "50000",
            ["Dspy:Grains:TenantQuotas:acme:Window"] = "00:00:10",
            ["Dspy:Grains:TenantQuotas:globex:MaxInFlight"] = "4",
        }).Build();
        var options = new DspyGrainsOptions();
        configuration.GetSection("Dspy:Grains").Bind(options);
        options.Validate();
        Assert.Equal(new TenantQuota { RequestsPerWindow = 30, TokensPerWindow = 50_000, Window = TimeSpan.FromSeconds(10) }, options.TenantQuotas["acme"]);
        Assert.Equal(new TenantQuota { MaxInFlight = 4 }, options.TenantQuotas["globex"]);

        options.TenantQuotas["initech"] = new TenantQuota { RequestsPerWindow = 0 };
        var ex = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal("Dspy:Grains:TenantQuotas:initech: Tenant 'initech' quota: RequestsPerWindow must be at least 1, not 0.", ex.Message);
        Assert.Throws<ArgumentException>(() => new DspyGrainsOptions { TenantQuotas = { ["bad id"] = new TenantQuota { RequestsPerWindow = 1 } } }.Validate());
    }

    [Fact]
    public void The_tenant_context_is_set_for_a_scope_and_restored_after_it()
    {
        Assert.Null(TenantContext.Current);
        using (TenantContext.Use("acme"))
        {
            Assert.Equal("acme", TenantContext.Current);
            using (TenantContext.Use("globex")) Assert.Equal("globex", TenantContext.Current);
            using (TenantContext.Use(null)) Assert.Equal("acme", TenantContext.Current);
            Assert.Equal("acme", TenantContext.Current);
        }
        Assert.Null(TenantContext.Current);
    }
}
