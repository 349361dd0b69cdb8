using Akka.Configuration.Hocon;

namespace RControl.Configuration;

/// <summary>Type tests Akka's <see cref="HoconValue"/> gets wrong: an empty list <c>[]</c> (sometimes followed by a blank literal) is not <c>IsArray()</c> there.</summary>
internal static class HoconValues
{
    /// <summary>True for a list, empty or not.</summary>
    public static bool IsList(HoconValue value) =>
        value.IsArray() || (value.Values.Any(v => v is HoconArray)
                            && value.Values.All(v => v is HoconArray || (v is HoconLiteral literal && string.IsNullOrWhiteSpace(literal.Value))));

    /// <summary>True for a list whose elements are all strings (numbers and words are strings in HOCON).</summary>
    public static bool IsStringList(HoconValue value) => IsList(value) && value.GetArray().All(e => e.IsString());
}
