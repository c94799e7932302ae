#!/usr/bin/env bash
# Push the commit at HEAD to the repository's default branch, for every workflow job that writes it
# (the pipeline's data commit and dismissals, CI's republish). Used by .github/workflows/*.yml.
#
# - The token comes from $GH_TOKEN and reaches git as an HTTP header through GIT_CONFIG_* variables:
#   never on a command line, never in .git/config, masked in the log.
# - Hooks are off for every git command here (core.hooksPath=/dev/null), so nothing installed into
#   the checkout can run with the token in reach.
# - When someone else pushed first (a merge, another job), the commit is rebased onto the new tip
#   and pushed again, up to $PUSH_ATTEMPTS times (default 4) with a growing pause.
# - GitHub's refusals are explained: a protected branch (GH006) names the setting to change.
#
# Environment: GH_TOKEN (required for https remotes), TARGET_BRANCH (required), REMOTE (default
# origin), GITHUB_SERVER_URL (for the header's scope), PUSH_ATTEMPTS, PUSH_PAUSE_SECONDS (default 5).
set -euo pipefail

: "${TARGET_BRANCH:?TARGET_BRANCH must name the branch to push to}"
remote="${REMOTE:-origin}"
attempts="${PUSH_ATTEMPTS:-4}"
pause="${PUSH_PAUSE_SECONDS:-5}"
identity=(-c user.name="github-actions[bot]" -c user.email="41898282+github-actions[bot]@users.noreply.github.com")

export GIT_TERMINAL_PROMPT=0
if [ -n "${GH_TOKEN:-}" ]; then
  basic="$(printf 'x-access-token:%s' "$GH_TOKEN" | base64 | tr -d '\n')"
  if [ -n "${GITHUB_ACTIONS:-}" ]; then echo "::add-mask::$basic"; fi
  export GIT_CONFIG_COUNT=2
  export GIT_CONFIG_KEY_0="http.${GITHUB_SERVER_URL:-https://github.com}/.extraheader"
  export GIT_CONFIG_VALUE_0="AUTHORIZATION: basic $basic"
else
  export GIT_CONFIG_COUNT=1
fi
key=$((GIT_CONFIG_COUNT - 1))
export "GIT_CONFIG_KEY_${key}=core.hooksPath"
export "GIT_CONFIG_VALUE_${key}=/dev/null"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for attempt in $(seq 1 "$attempts"); do
  if git push --quiet "$remote" "HEAD:refs/heads/${TARGET_BRANCH}" 2>"$log"; then
    echo "pushed $(git rev-parse --short HEAD) to ${TARGET_BRANCH} (attempt ${attempt})"
    exit 0
  fi
  if grep -q 'GH006\|protected branch' "$log"; then
    cat "$log" >&2
    echo "::error title=${TARGET_BRANCH} is protected::GitHub refused the push to ${TARGET_BRANCH} (branch protection). Let the pipeline push: Settings → Branches (or Rules → Rulesets) → the rule for ${TARGET_BRANCH} → allow the icewatch GitHub App (or github-actions) to bypass it, or remove the rule." >&2
    exit 1
  fi
  if ! grep -q 'rejected\|fetch first\|non-fast-forward\|stale info' "$log"; then
    cat "$log" >&2
    echo "::error title=Push failed::git push to ${TARGET_BRANCH} failed (see above)" >&2
    exit 1
  fi
  echo "${TARGET_BRANCH} moved meanwhile; rebasing onto it (attempt ${attempt} of ${attempts})"
  git fetch --quiet "$remote" "refs/heads/${TARGET_BRANCH}"
  git "${identity[@]}" rebase --quiet FETCH_HEAD
  sleep "$((pause * attempt))"
done
echo "::error title=Push failed::${TARGET_BRANCH} kept moving; gave up after ${attempts} attempts" >&2
exit 1
