using Akka.Configuration;

namespace RControl.Tests.Core;

/// <summary>The line readers' limits in HOCON are checked once, where the engine starts, naming the key.</summary>
public sealed class ReaderSettingsTests
{
    [Theory]
    [InlineData("window", "0")]
    [InlineData("buffer-size", "-1")]
    [InlineData("max-line-length", "lots")]
    [InlineData("batch-max-chars", "2.5")]
    public void A_reader_limit_that_is_not_a_positive_whole_number_is_refused_before_anything_starts(string key, string value)
    {
        var error = Assert.ThrowsAny<ConfigurationException>(() => RControlSystem.Create($"rcontrol.readers.{key} = {value}"));

        Assert.Equal($"rcontrol.readers.{key}: must be a whole number of at least 1, got '{value}'", error.Message);
    }

    [Fact]
    public async Task Reader_limits_in_range_start_an_engine_that_runs_commands()
    {
        await using var rc = RControlSystem.Create("rcontrol.readers { window = 2, buffer-size = 8192 }");
        var lines = new List<string>();

        var exitCode = await rc.CreateLocalSession("local").Execute("seq 1 3", new CommandOptions { OnStdout = (_, l) => lines.Add(l) }).WaitAsync();

        Assert.Equal(0, exitCode);
        Assert.Equal(new[] { "1", "2", "3" }, lines);
    }
}
