using System.Globalization;
using Google.Protobuf;

namespace AgentFunctions.Testing.Telemetry;

/// <summary>
/// Reads the parts of OTLP's protobuf messages (ExportTraceServiceRequest, ExportMetricsServiceRequest, as in
/// opentelemetry-proto) a test looks at, field by field; everything else is skipped.
/// </summary>
public static class OtlpProtobuf
{
    public static List<CollectedSpan> ReadSpans(byte[] body)
    {
        var spans = new List<CollectedSpan>();
        foreach (var resourceSpans in Repeated(body, 1))
        {
            foreach (var scopeSpans in Repeated(resourceSpans, 2))
            {
                var scope = Single(scopeSpans, 1) is { } s ? Text(s, 1) : string.Empty;
                spans.AddRange(Repeated(scopeSpans, 2).Select(span => ReadSpan(span, scope)));
            }
        }

        return spans;
    }

    public static List<CollectedPoint> ReadPoints(byte[] body)
    {
        var points = new List<CollectedPoint>();
        foreach (var resourceMetrics in Repeated(body, 1))
        {
            foreach (var scopeMetrics in Repeated(resourceMetrics, 2))
            {
                foreach (var metric in Repeated(scopeMetrics, 2))
                {
                    var name = Text(metric, 1);
                    foreach (var field in new[] { 5, 7 })
                    {
                        // Gauge (5) and Sum (7) hold NumberDataPoints; a Histogram (9) holds HistogramDataPoints.
                        if (Single(metric, field) is { } data)
                        {
                            points.AddRange(Repeated(data, 1).Select(p => ReadNumberPoint(name, p)));
                        }
                    }

                    if (Single(metric, 9) is { } histogram)
                    {
                        points.AddRange(Repeated(histogram, 1).Select(p => ReadHistogramPoint(name, p)));
                    }
                }
            }
        }

        return points;
    }

    private static CollectedSpan ReadSpan(byte[] span, string scope)
    {
        var status = Single(span, 15);
        return new CollectedSpan(
            scope,
            Text(span, 5),
            Kind(Varint(span, 6)),
            Hex(Single(span, 1)),
            Hex(Single(span, 2)),
            Single(span, 4) is { Length: > 0 } parent ? Hex(parent) : null,
            Time(Fixed64(span, 7)),
            Time(Fixed64(span, 8)),
            Attributes(span, 9),
            Repeated(span, 13).Select(link => (Hex(Single(link, 1)), Hex(Single(link, 2)))).ToList(),
            status is not null && Varint(status, 3) == 2);
    }

    private static CollectedPoint ReadNumberPoint(string metric, byte[] point)
    {
        var value = Fields(point).FirstOrDefault(f => f.Number is 4 or 6);
        var number = value.Number == 4 ? BitConverter.Int64BitsToDouble((long)value.Fixed) : (long)value.Fixed;
        return new CollectedPoint(metric, Attributes(point, 7), number, 0, Time(Fixed64(point, 3)));
    }

    private static CollectedPoint ReadHistogramPoint(string metric, byte[] point) =>
        new(metric, Attributes(point, 9), BitConverter.Int64BitsToDouble((long)Fixed64(point, 5)), (long)Fixed64(point, 4), Time(Fixed64(point, 3)));

    private static Dictionary<string, string> Attributes(byte[] message, int field)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var keyValue in Repeated(message, field))
        {
            var value = Single(keyValue, 2);
            attributes[Text(keyValue, 1)] = value is null ? string.Empty : AnyValue(value);
        }

        return attributes;
    }

    private static string AnyValue(byte[] value)
    {
        foreach (var f in Fields(value))
        {
            return f.Number switch
            {
                1 => f.Bytes!.ToStringUtf8(),
                2 => f.Varint != 0 ? "true" : "false",
                3 => ((long)f.Varint).ToString(CultureInfo.InvariantCulture),
                4 => BitConverter.Int64BitsToDouble((long)f.Fixed).ToString(CultureInfo.InvariantCulture),
                _ => string.Empty,
            };
        }

        return string.Empty;
    }

    private static string Kind(ulong kind) => kind switch
    {
        1 => "internal",
        2 => "server",
        3 => "client",
        4 => "producer",
        5 => "consumer",
        _ => "unspecified",
    };

    private static DateTimeOffset Time(ulong unixNanos) => DateTimeOffset.UnixEpoch.AddTicks((long)(unixNanos / 100));

    private static string Hex(byte[]? bytes) => bytes is null ? string.Empty : Convert.ToHexStringLower(bytes);

    private static string Text(byte[] message, int field) => Fields(message).FirstOrDefault(f => f.Number == field).Bytes?.ToStringUtf8() ?? string.Empty;

    private static byte[]? Single(byte[] message, int field) => Fields(message).FirstOrDefault(f => f.Number == field && f.Bytes is not null).Bytes?.ToByteArray();

    private static IEnumerable<byte[]> Repeated(byte[] message, int field) =>
        Fields(message).Where(f => f.Number == field && f.Bytes is not null).Select(f => f.Bytes!.ToByteArray());

    private static ulong Varint(byte[] message, int field) => Fields(message).FirstOrDefault(f => f.Number == field).Varint;

    private static ulong Fixed64(byte[] message, int field) => Fields(message).FirstOrDefault(f => f.Number == field).Fixed;

    private static List<Field> Fields(byte[] message)
    {
        var fields = new List<Field>();
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            switch (WireFormat.GetTagWireType(tag))
            {
                case WireFormat.WireType.Varint:
                    fields.Add(new Field(number, input.ReadUInt64(), 0, null));
                    break;
                case WireFormat.WireType.Fixed64:
                    fields.Add(new Field(number, 0, input.ReadFixed64(), null));
                    break;
                case WireFormat.WireType.Fixed32:
                    fields.Add(new Field(number, 0, input.ReadFixed32(), null));
                    break;
                case WireFormat.WireType.LengthDelimited:
                    fields.Add(new Field(number, 0, 0, input.ReadBytes()));
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return fields;
    }

    private readonly record struct Field(int Number, ulong Varint, ulong Fixed, ByteString? Bytes);
}
