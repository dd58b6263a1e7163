using System.Text.Json;

namespace AgentFunctions.Contract.Tests.Support;

/// <summary>The field names of a JSON document (nested, arrays by their first item), to compare what two engines answer.</summary>
internal static class Shapes
{
    public static SortedSet<string> Of(JsonElement json)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        Collect(json, "$", names);
        return names;
    }

    /// <summary>Fails with the fields only one engine has.</summary>
    public static void AssertSame(string what, JsonElement standalone, JsonElement functions, params string[] ignored)
    {
        var a = Of(standalone);
        var b = Of(functions);
        a.ExceptWith(ignored);
        b.ExceptWith(ignored);
        var onlyStandalone = a.Except(b).ToList();
        var onlyFunctions = b.Except(a).ToList();
        Assert.True(
            onlyStandalone.Count == 0 && onlyFunctions.Count == 0,
            $"{what}: only the Standalone server answers [{string.Join(", ", onlyStandalone)}]; only the Functions engine answers [{string.Join(", ", onlyFunctions)}]");
    }

    private static void Collect(JsonElement json, string path, SortedSet<string> names)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in json.EnumerateObject())
                {
                    var child = $"{path}.{property.Name}";
                    names.Add(child);
                    Collect(property.Value, child, names);
                }

                break;
            case JsonValueKind.Array when json.GetArrayLength() > 0:
                Collect(json[0], path + "[]", names);
                break;
        }
    }
}
