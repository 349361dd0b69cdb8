using System.CommandLine;
using System.CommandLine.Parsing;
using RControl.Host.Cli.Running;
using RControl.Host.Cli.Targets;

namespace RControl.Host.Cli;

/// <summary><c>rcontrol exec -t &lt;target&gt; [-t …] [options] -- &lt;command&gt;</c>: run one command on targets.</summary>
internal static class ExecCommand
{
    public static Command Create()
    {
        var common = new CommonOptions { DashOMayBeFolder = true };
        var parity = new ParityOptions();
        var targets = new Option<string[]>("--target", "-t")
        {
            Description = "Where to run: local, an inventory session or group, user@host:port, a ~/.ssh/config alias, a host range web[01-20].example.com. Repeat or separate with commas.",
            HelpName = "target",
        };
        var detach = new Option<bool>("--detach", "-d") { Description = "With --daemon: run as a job on the daemon, print its id and return at once (see rcontrol jobs, logs, wait)." };
        var words = new Argument<string[]>("command") { Description = "The shell command (after --).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("exec", "Run a command on one or more targets.");
        command.Options.Add(targets);
        command.Options.Add(detach);
        common.AddTo(command);
        parity.AddTo(command);
        command.Arguments.Add(words);
        command.SetAction((parse, ct) => CliRuntime.InvokeAsync(
            async token =>
            {
                RefuseWordsBeforeDoubleDash(parse, words);
                var settings = common.Settings(parse);
                var text = string.Join(' ', parse.GetValue(words) ?? []);
                if (string.IsNullOrWhiteSpace(text))
                {
                    throw new UsageException("empty command");
                }

                var inventory = common.LoadInventory(parse);
                var folders = OutputFolders(parse, common, parity);
                if (folders.Err is not null)
                {
                    // pssh -e: stderr is kept apart to go to its own files.
                    settings = settings with { CombineStderr = false };
                }

                var defaults = common.SshDefaults(parse, settings);
                var (requested, hostsLines) = RequestedTargets(parse, targets, parity);
                IReadOnlyList<Target> Resolve(RControl.Configuration.Inventory known)
                {
                    CheckHostsLines(hostsLines, known, defaults);
                    return Exclusions.Apply(
                        TargetResolver.Resolve(requested, known, defaults), parse.GetValue(parity.Exclude) ?? [], parse.GetValue(parity.ExcludeGroup) ?? [], known);
                }
                var detached = parse.GetValue(detach);
                if (detached && settings.Daemon is null)
                {
                    throw new UsageException("--detach needs --daemon: only a daemon keeps jobs");
                }

                if (detached && (folders.Out is not null || folders.Err is not null || parse.GetValue(parity.Stdin) is not null))
                {
                    // These live in the client, which a detached job outlives.
                    throw new UsageException("--detach cannot be used with --stdin, --outdir/-o DIR or --errdir/-e: read a job's output with rcontrol logs");
                }

                if (settings.Daemon is null)
                {
                    // Refuse bad targets before starting anything (with a daemon, its session names are needed first).
                    Resolve(inventory);
                }

                var stdin = StdinFeed.Read(parse.GetValue(parity.Stdin));
                StartupTrace.Mark("exec checked");
                await using var engine = await CliRuntime.StartEngineAsync(settings, token).ConfigureAwait(false);
                StartupTrace.Mark("engine started");
                var resolved = Resolve(Targets.InventoryFiles.Merge(engine.KnownSessions, inventory));
                if (detached)
                {
                    return await Commands.DetachedJob.SubmitAsync(engine, Commands.DetachedJob.ForExec(resolved, text, settings, engine), token).ConfigureAwait(false);
                }

                var view = CliRuntime.CreateView(settings);
                if (folders.Out is not null || folders.Err is not null)
                {
                    view = new Output.OutputFilesView(view, folders.Out, folders.Err);
                }

                var units = await ExecJob.RunAsync(engine, resolved, text, settings, view, token, stdin).ConfigureAwait(false);
                StartupTrace.Mark("ran");
                return parse.GetValue(parity.LargestStatus) ? RunUnit.LargestExitStatus(units) : RunUnit.ExitStatus(units);
            },
            ct));
        return command;
    }

    /// <summary>The <c>-t</c> targets, then those of the <c>--hosts</c> files (with their file and line, to name them in errors).</summary>
    private static (IReadOnlyList<string> Targets, IReadOnlyList<(string File, HostsFile.Entry Entry)> HostsLines) RequestedTargets(
        ParseResult parse, Option<string[]> targets, ParityOptions parity)
    {
        var lines = (parse.GetValue(parity.Hosts) ?? []).SelectMany(file => HostsFile.Read(file).Select(entry => (file, entry))).ToArray();
        var requested = (parse.GetValue(targets) ?? []).Concat(lines.Select(l => l.entry.Target)).ToArray();
        return requested.Length > 0
            ? (requested, lines)
            : throw new UsageException("no target given: use -t/--target (local, user@host, an inventory name) or --hosts FILE");
    }

    /// <summary>Checks each hosts-file line against the known sessions, so that a bad one is named by file and line.</summary>
    private static void CheckHostsLines(IEnumerable<(string File, HostsFile.Entry Entry)> lines, RControl.Configuration.Inventory known, SshDefaults defaults)
    {
        foreach (var (file, entry) in lines)
        {
            try
            {
                TargetResolver.Resolve([entry.Target], known, defaults);
            }
            catch (UsageException e)
            {
                throw new UsageException($"{file}:{entry.Line}: {e.Message}", e);
            }
        }
    }

    /// <summary>The <c>--outdir</c>/<c>-o DIR</c> and <c>--errdir</c>/<c>-e</c> folders (at most one each).</summary>
    private static (string? Out, string? Err) OutputFolders(ParseResult parse, CommonOptions common, ParityOptions parity)
    {
        var outs = common.DashOFolders(parse).Concat(parse.GetValue(parity.OutDir) is { } o ? [o] : []).Distinct(StringComparer.Ordinal).ToArray();
        return outs.Length > 1
            ? throw new UsageException($"more than one output folder: {string.Join(", ", outs)} (-o DIR and --outdir name the same thing)")
            : (outs.FirstOrDefault(), parse.GetValue(parity.ErrDir));
    }

    /// <summary>
    /// The command is only what follows <c>--</c>: any word before it is a typo (<c>--plain yes</c>,
    /// <c>--combine-stderr maybe</c>) that must not become part of the command line.
    /// </summary>
    private static void RefuseWordsBeforeDoubleDash(ParseResult parse, Argument<string[]> words)
    {
        var tokens = parse.Tokens.ToList();
        var doubleDash = tokens.FindIndex(t => t.Type == TokenType.DoubleDash);
        foreach (var token in parse.GetResult(words)?.Tokens ?? [])
        {
            var index = tokens.FindIndex(t => ReferenceEquals(t, token));
            if (doubleDash >= 0 && index > doubleDash)
            {
                continue;
            }

            if (token.Value.Length > 1 && token.Value[0] == '-')
            {
                throw new UsageException($"unknown option '{token.Value}' (put the command after --)");
            }

            var previous = index > 0 ? tokens[index - 1] : null;
            var hint = previous is { Type: TokenType.Option } && parse.CommandResult.Command.Options.FirstOrDefault(o => o.Name == previous.Value || o.Aliases.Contains(previous.Value)) is Option<bool>
                ? $"{previous.Value} takes true, false or nothing; "
                : string.Empty;
            throw new UsageException(doubleDash >= 0
                ? $"unexpected '{token.Value}' before -- ({hint}the command goes after --)"
                : $"the command goes after --: rcontrol exec -t <target> [options] -- {string.Join(' ', parse.GetValue(words) ?? [])}");
        }
    }
}
