using System.Text.Json;

namespace Dspy.Grains.Tests.Determinism;

/// <summary>Compares two stored GEPA checkpoints by value (their JSON, as the storage serializer writes them).</summary>
internal sealed class GepaRecordComparer : IEqualityComparer<GepaFrontRecord?>
{
    public static readonly GepaRecordComparer Instance = new();

    public bool Equals(GepaFrontRecord? x, GepaFrontRecord? y) => Json(x) == Json(y);

    public int GetHashCode(GepaFrontRecord? obj) => Json(obj).GetHashCode(StringComparison.Ordinal);

    public static string Json(GepaFrontRecord? record) => JsonSerializer.Serialize(record);
}
