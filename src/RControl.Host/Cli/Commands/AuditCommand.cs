using System.CommandLine;
using System.Text.Json;

namespace RControl.Host.Cli.Commands;

/// <summary><c>rcontrol audit --daemon ADDR [--since …] [--json]</c>: the daemon's persisted audit trail (admin only).</summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var options = new JobCommandOptions();
        var since = JobCommandOptions.SinceOption("entries");
        var json = new Option<bool>("--json") { Description = "One JSON object per entry per line." };
        var command = new Command("audit", "Print the daemon's audit trail (logins, sessions, commands, jobs, files, kills, denials), oldest first; admin only.")
        {
            since, json,
        };
        options.AddTo(command);
        options.SetAction(command, async (parse, engine, token) =>
        {
            var asJson = parse.GetValue(json);
            using var stdout = CliRuntime.StdoutWriter();
            await foreach (var entry in engine.ReadAuditAsync(JobCommandOptions.Since(parse.GetValue(since)), token).ConfigureAwait(false))
            {
                stdout.WriteLine(asJson
                    ? JsonSerializer.Serialize(new { at = entry.At, identity = entry.Identity, source = entry.Source, action = entry.Action, detail = entry.Detail })
                    : $"{JobText.Time(entry.At)}  {entry.Identity}  {entry.Action}  {entry.Detail}  ({entry.Source})");
            }

            return 0;
        });
        return command;
    }
}
