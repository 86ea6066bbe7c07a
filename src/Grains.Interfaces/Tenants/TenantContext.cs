namespace Dspy.Grains;

/// <summary>
/// The tenant whose work is running, carried in Orleans' <see cref="RequestContext"/>: set by whoever starts the work (a
/// compile run for its <c>CompileRunConfig.Tenant</c>, a client for its evaluation), it flows with every grain call
/// made from there (evaluation shards on any silo) and into the LM calls they make, where the gateway takes the
/// tenant's quota permit.
/// </summary>
public static class TenantContext
{
    /// <summary>The <see cref="RequestContext"/> key.</summary>
    public const string Key = "dspy.tenant";

    /// <summary>The current tenant, or null (single-tenant work).</summary>
    public static string? Current => RequestContext.Get(Key) as string;

    /// <summary>
    /// Makes <paramref name="tenant"/> the current tenant until the result is disposed (null leaves the context as it is).
    /// Grain calls made meanwhile carry it.
    /// </summary>
    /// <exception cref="ArgumentException">The tenant id is invalid.</exception>
    public static IDisposable Use(string? tenant)
    {
        if (tenant is null) return Restore.None;
        CheckTenantId(tenant);
        var previous = RequestContext.Get(Key);
        RequestContext.Set(Key, tenant);
        return new Restore(previous);
    }

    /// <summary>Checks a tenant id: 1-100 characters of letters, digits, '-', '_' and '.'.</summary>
    /// <exception cref="ArgumentException">The id is empty, too long or has another character.</exception>
    public static string CheckTenantId(string tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if (tenant.Length is 0 or > 100 || !tenant.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException($"Tenant id '{tenant}' must be 1-100 characters of letters, digits, '-', '_' or '.'.", nameof(tenant));
        }
        return tenant;
    }

    private sealed class Restore(object? previous) : IDisposable
    {
        public static readonly IDisposable None = new Restore(null) { _done = true };
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            if (previous is null) RequestContext.Remove(Key);
            else RequestContext.Set(Key, previous);
        }
    }
}
