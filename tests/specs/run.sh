#!/usr/bin/env bash
# tests/specs/run.sh - broken spec.lua files (tests/specs/cases) as TAP.
cd "$(dirname "$0")/../.."
exec build/tests/specs --tap=- --jobs 2
