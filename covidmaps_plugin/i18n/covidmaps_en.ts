<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="en_US">
    <context>
        <name>CovidMaps</name>
        <message>
            <source>  (on the public map)</source>
            <translation>  (on the public map)</translation>
        </message>
        <message>
            <source>(choose)</source>
            <translation>(choose)</translation>
        </message>
        <message>
            <source>(confirmed at an earlier publish)</source>
            <translation>(confirmed at an earlier publish)</translation>
        </message>
        <message>
            <source>1 error must be fixed first.</source>
            <translation>1 error must be fixed first.</translation>
        </message>
        <message>
            <source>1 risk point marked as expired.</source>
            <translation>1 risk point marked as expired.</translation>
        </message>
        <message>
            <source>A workspace is one GeoPackage file holding the five layers of the epidemic map. Save it where it is backed up.</source>
            <translation>A workspace is one GeoPackage file holding the five layers of the epidemic map. Save it where it is backed up.</translation>
        </message>
        <message>
            <source>Access token</source>
            <translation>Access token</translation>
        </message>
        <message>
            <source>Add sample data</source>
            <translation>Add sample data</translation>
        </message>
        <message>
            <source>Add sample data (for training, not for publishing)</source>
            <translation>Add sample data (for training, not for publishing)</translation>
        </message>
        <message>
            <source>Added. Save the layer's edits to keep it.</source>
            <translation>Added. Save the layer's edits to keep it.</translation>
        </message>
        <message>
            <source>Advice in English</source>
            <translation>Advice in English</translation>
        </message>
        <message>
            <source>Advice in Vietnamese</source>
            <translation>Advice in Vietnamese</translation>
        </message>
        <message>
            <source>Announce a level for several districts or communes at once</source>
            <translation>Announce a level for several districts or communes at once</translation>
        </message>
        <message>
            <source>Announce level</source>
            <translation>Announce level</translation>
        </message>
        <message>
            <source>Announce the next levels…</source>
            <translation>Announce the next levels…</translation>
        </message>
        <message>
            <source>Applies from</source>
            <translation>Applies from</translation>
        </message>
        <message>
            <source>Authentication configuration (token)</source>
            <translation>Authentication configuration (token)</translation>
        </message>
        <message>
            <source>Boundaries imported</source>
            <translation>Boundaries imported</translation>
        </message>
        <message>
            <source>Bring the public map back to the data of release {0}? Citizens see it at once; the other releases stay in the history.</source>
            <translation>Bring the public map back to the data of release {0}? Citizens see it at once; the other releases stay in the history.</translation>
        </message>
        <message>
            <source>Brings the public map back to the data of an earlier release, as a new release (no release is deleted). Current: the release on the map now (if someone published since, nothing changes).</source>
            <translation>Brings the public map back to the data of an earlier release, as a new release (no release is deleted). Current: the release on the map now (if someone published since, nothing changes).</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <source>Cancelled.</source>
            <translation>Cancelled.</translation>
        </message>
        <message>
            <source>Cannot read the province profile “{0}”: {1}</source>
            <translation>Cannot read the province profile “{0}”: {1}</translation>
        </message>
        <message>
            <source>Cannot read the time “{0}”; use ISO 8601, for example 2021-06-10T10:00:00+07:00.</source>
            <translation>Cannot read the time “{0}”; use ISO 8601, for example 2021-06-10T10:00:00+07:00.</translation>
        </message>
        <message>
            <source>Capacity</source>
            <translation>Capacity</translation>
        </message>
        <message>
            <source>Changes on the public map</source>
            <translation>Changes on the public map</translation>
        </message>
        <message>
            <source>Check</source>
            <translation>Check</translation>
        </message>
        <message>
            <source>Check after each edit</source>
            <translation>Check after each edit</translation>
        </message>
        <message>
            <source>Check again</source>
            <translation>Check again</translation>
        </message>
        <message>
            <source>Check cancelled.</source>
            <translation>Check cancelled.</translation>
        </message>
        <message>
            <source>Check every layer of the map now</source>
            <translation>Check every layer of the map now</translation>
        </message>
        <message>
            <source>Check the map</source>
            <translation>Check the map</translation>
        </message>
        <message>
            <source>Checked at {0} · {1} features</source>
            <translation>Checked at {0} · {1} features</translation>
        </message>
        <message>
            <source>Checking the map…</source>
            <translation>Checking the map…</translation>
        </message>
        <message>
            <source>Checking…</source>
            <translation>Checking…</translation>
        </message>
        <message>
            <source>Checkpoint «{0}» disbanded.</source>
            <translation>Checkpoint «{0}» disbanded.</translation>
        </message>
        <message>
            <source>Checks a CovidMaps workspace before publishing: geometry (GEOS validity, coordinates, province, areas, overlaps), attributes (required values, lists, ranges, dates, identifiers, duplicates), dates that hide features, and personal data in public fields.

Give the workspace file, or the layers. Now: an ISO 8601 time such as 2021-06-10T10:00:00+07:00 (default: the current time).
Errors block publishing; warnings need a confirmation. With “Fail when errors are found” the algorithm fails on errors, so a model stops there.</source>
            <translation>Checks a CovidMaps workspace before publishing: geometry (GEOS validity, coordinates, province, areas, overlaps), attributes (required values, lists, ranges, dates, identifiers, duplicates), dates that hide features, and personal data in public fields.

Give the workspace file, or the layers. Now: an ISO 8601 time such as 2021-06-10T10:00:00+07:00 (default: the current time).
Errors block publishing; warnings need a confirmation. With “Fail when errors are found” the algorithm fails on errors, so a model stops there.</translation>
        </message>
        <message>
            <source>Choose where to save the workspace file.</source>
            <translation>Choose where to save the workspace file.</translation>
        </message>
        <message>
            <source>Click a facility on the map to close it</source>
            <translation>Click a facility on the map to close it</translation>
        </message>
        <message>
            <source>Click a zone on the map to extend it</source>
            <translation>Click a zone on the map to extend it</translation>
        </message>
        <message>
            <source>Click the centre of the zone on the map (or select a point first).</source>
            <translation>Click the centre of the zone on the map (or select a point first).</translation>
        </message>
        <message>
            <source>Click the feature on the map: «{0}».</source>
            <translation>Click the feature on the map: «{0}».</translation>
        </message>
        <message>
            <source>Click the map to add a disease-control checkpoint there</source>
            <translation>Click the map to add a disease-control checkpoint there</translation>
        </message>
        <message>
            <source>Click the map to add a high-risk point there</source>
            <translation>Click the map to add a high-risk point there</translation>
        </message>
        <message>
            <source>Click the map to add a quarantine facility there</source>
            <translation>Click the map to add a quarantine facility there</translation>
        </message>
        <message>
            <source>Click the place on the map; the form opens there.</source>
            <translation>Click the place on the map; the form opens there.</translation>
        </message>
        <message>
            <source>Click “Check” to preview the changes.</source>
            <translation>Click “Check” to preview the changes.</translation>
        </message>
        <message>
            <source>Click “Save edits and check” to save them and check.</source>
            <translation>Click “Save edits and check” to save them and check.</translation>
        </message>
        <message>
            <source>Click “Save edits and check”.</source>
            <translation>Click “Save edits and check”.</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>Close</translation>
        </message>
        <message>
            <source>Close quarantine facility</source>
            <translation>Close quarantine facility</translation>
        </message>
        <message>
            <source>Close quarantine facility…</source>
            <translation>Close quarantine facility…</translation>
        </message>
        <message>
            <source>Close the facility «{0}»: it leaves the public map.</source>
            <translation>Close the facility «{0}»: it leaves the public map.</translation>
        </message>
        <message>
            <source>Close these {0} facilities: {1}. They leave the public map.</source>
            <translation>Close these {0} facilities: {1}. They leave the public map.</translation>
        </message>
        <message>
            <source>Closed on</source>
            <translation>Closed on</translation>
        </message>
        <message>
            <source>Code field</source>
            <translation>Code field</translation>
        </message>
        <message>
            <source>Communes</source>
            <translation>Communes</translation>
        </message>
        <message>
            <source>Confirm</source>
            <translation>Confirm</translation>
        </message>
        <message>
            <source>Could not create the workspace: {0}</source>
            <translation>Could not create the workspace: {0}</translation>
        </message>
        <message>
            <source>Could not open the workspace: {0}</source>
            <translation>Could not open the workspace: {0}</translation>
        </message>
        <message>
            <source>Could not read the check's result: {0}</source>
            <translation>Could not read the check's result: {0}</translation>
        </message>
        <message>
            <source>Could not read the history: {0}</source>
            <translation>Could not read the history: {0}</translation>
        </message>
        <message>
            <source>Could not save: </source>
            <translation>Could not save: </translation>
        </message>
        <message>
            <source>CovidMaps epidemic map tools</source>
            <translation>CovidMaps epidemic map tools</translation>
        </message>
        <message>
            <source>CovidMaps – map check</source>
            <translation>CovidMaps – map check</translation>
        </message>
        <message>
            <source>CovidMaps: checking before publishing</source>
            <translation>CovidMaps: checking before publishing</translation>
        </message>
        <message>
            <source>CovidMaps: checking the map</source>
            <translation>CovidMaps: checking the map</translation>
        </message>
        <message>
            <source>CovidMaps: history</source>
            <translation>CovidMaps: history</translation>
        </message>
        <message>
            <source>CovidMaps: publishing the map</source>
            <translation>CovidMaps: publishing the map</translation>
        </message>
        <message>
            <source>CovidMaps: reading the units' boundaries</source>
            <translation>CovidMaps: reading the units' boundaries</translation>
        </message>
        <message>
            <source>CovidMaps: rollback</source>
            <translation>CovidMaps: rollback</translation>
        </message>
        <message>
            <source>Create</source>
            <translation>Create</translation>
        </message>
        <message>
            <source>Create a CovidMaps workspace: a GeoPackage with the five map layers</source>
            <translation>Create a CovidMaps workspace: a GeoPackage with the five map layers</translation>
        </message>
        <message>
            <source>Create workspace</source>
            <translation>Create workspace</translation>
        </message>
        <message>
            <source>Create zone</source>
            <translation>Create zone</translation>
        </message>
        <message>
            <source>Creates a CovidMaps workspace: one GeoPackage holding the five layers (high-risk points, quarantine facilities, medical isolation zones, checkpoints, epidemic levels by area) with their forms and styles, for one province.

Province profile: the id of a profile shipped with the plugin (for example bac_kan_2020) or the path of a profile JSON file.
An existing file is never overwritten.</source>
            <translation>Creates a CovidMaps workspace: one GeoPackage holding the five layers (high-risk points, quarantine facilities, medical isolation zones, checkpoints, epidemic levels by area) with their forms and styles, for one province.

Province profile: the id of a profile shipped with the plugin (for example bac_kan_2020) or the path of a profile JSON file.
An existing file is never overwritten.</translation>
        </message>
        <message>
            <source>Creating workspace {0} for {1}</source>
            <translation>Creating workspace {0} for {1}</translation>
        </message>
        <message>
            <source>Daily updates</source>
            <translation>Daily updates</translation>
        </message>
        <message>
            <source>Decision no.</source>
            <translation>Decision no.</translation>
        </message>
        <message>
            <source>Decision number</source>
            <translation>Decision number</translation>
        </message>
        <message>
            <source>Disband checkpoint</source>
            <translation>Disband checkpoint</translation>
        </message>
        <message>
            <source>Disband checkpoint…</source>
            <translation>Disband checkpoint…</translation>
        </message>
        <message>
            <source>Disband the checkpoint «{0}»: it leaves the public map.</source>
            <translation>Disband the checkpoint «{0}»: it leaves the public map.</translation>
        </message>
        <message>
            <source>Disband these {0} checkpoints: {1}. They leave the public map.</source>
            <translation>Disband these {0} checkpoints: {1}. They leave the public map.</translation>
        </message>
        <message>
            <source>District code field (communes only)</source>
            <translation>District code field (communes only)</translation>
        </message>
        <message>
            <source>District polygons (default: the workspace's)</source>
            <translation>District polygons (default: the workspace's)</translation>
        </message>
        <message>
            <source>Districts</source>
            <translation>Districts</translation>
        </message>
        <message>
            <source>Double-click a line to see the feature on the map.</source>
            <translation>Double-click a line to see the feature on the map.</translation>
        </message>
        <message>
            <source>Draw a zone by hand; corners snap to administrative boundaries</source>
            <translation>Draw a zone by hand; corners snap to administrative boundaries</translation>
        </message>
        <message>
            <source>Draw an isolation zone</source>
            <translation>Draw an isolation zone</translation>
        </message>
        <message>
            <source>Draw the zone: click its corners, right-click to finish. Corners snap to the administrative boundaries.</source>
            <translation>Draw the zone: click its corners, right-click to finish. Corners snap to the administrative boundaries.</translation>
        </message>
        <message>
            <source>Ends</source>
            <translation>Ends</translation>
        </message>
        <message>
            <source>Epidemic level by area</source>
            <translation>Epidemic level by area</translation>
        </message>
        <message>
            <source>Epidemic level by area…</source>
            <translation>Epidemic level by area…</translation>
        </message>
        <message>
            <source>Epidemic levels ending soon</source>
            <translation>Epidemic levels ending soon</translation>
        </message>
        <message>
            <source>Errors</source>
            <translation>Errors</translation>
        </message>
        <message>
            <source>Errors must be fixed before publishing.</source>
            <translation>Errors must be fixed before publishing.</translation>
        </message>
        <message>
            <source>Expire risk points</source>
            <translation>Expire risk points</translation>
        </message>
        <message>
            <source>Expire risk points past their date…</source>
            <translation>Expire risk points past their date…</translation>
        </message>
        <message>
            <source>Extend</source>
            <translation>Extend</translation>
        </message>
        <message>
            <source>Extend isolation zone</source>
            <translation>Extend isolation zone</translation>
        </message>
        <message>
            <source>Extend isolation zone…</source>
            <translation>Extend isolation zone…</translation>
        </message>
        <message>
            <source>Extend the zone «{0}» to a later end.</source>
            <translation>Extend the zone «{0}» to a later end.</translation>
        </message>
        <message>
            <source>Extend these {0} zones to a later end: {1}.</source>
            <translation>Extend these {0} zones to a later end: {1}.</translation>
        </message>
        <message>
            <source>Extension decision</source>
            <translation>Extension decision</translation>
        </message>
        <message>
            <source>Extension decision number</source>
            <translation>Extension decision number</translation>
        </message>
        <message>
            <source>Facility</source>
            <translation>Facility</translation>
        </message>
        <message>
            <source>Facility «{0}» closed on {1}: it leaves the public map at the next publish.</source>
            <translation>Facility «{0}» closed on {1}: it leaves the public map at the next publish.</translation>
        </message>
        <message>
            <source>Facility «{0}» closed.</source>
            <translation>Facility «{0}» closed.</translation>
        </message>
        <message>
            <source>Fail when errors are found</source>
            <translation>Fail when errors are found</translation>
        </message>
        <message>
            <source>Feature</source>
            <translation>Feature</translation>
        </message>
        <message>
            <source>Figures as of</source>
            <translation>Figures as of</translation>
        </message>
        <message>
            <source>Figures of «{0}» updated.</source>
            <translation>Figures of «{0}» updated.</translation>
        </message>
        <message>
            <source>Findings</source>
            <translation>Findings</translation>
        </message>
        <message>
            <source>Findings of the endpoint if it refuses the data</source>
            <translation>Findings of the endpoint if it refuses the data</translation>
        </message>
        <message>
            <source>First time: paste the access token the ICT staff gave you and click «Save token». It is stored encrypted in QGIS's authentication database (never in the settings) and chosen for you next time.</source>
            <translation>First time: paste the access token the ICT staff gave you and click «Save token». It is stored encrypted in QGIS's authentication database (never in the settings) and chosen for you next time.</translation>
        </message>
        <message>
            <source>Give a workspace file or at least one layer to validate.</source>
            <translation>Give a workspace file or at least one layer to validate.</translation>
        </message>
        <message>
            <source>Give the layer of official boundaries.</source>
            <translation>Give the layer of official boundaries.</translation>
        </message>
        <message>
            <source>Goes into the publishing history (readable by anyone in the release).</source>
            <translation>Goes into the publishing history (readable by anyone in the release).</translation>
        </message>
        <message>
            <source>History</source>
            <translation>History</translation>
        </message>
        <message>
            <source>History (administrators)</source>
            <translation>History (administrators)</translation>
        </message>
        <message>
            <source>Hotline (e.g. 0209 3870 115)</source>
            <translation>Hotline (e.g. 0209 3870 115)</translation>
        </message>
        <message>
            <source>Hotline: {0}</source>
            <translation>Hotline: {0}</translation>
        </message>
        <message>
            <source>I have read the warnings and want to publish</source>
            <translation>I have read the warnings and want to publish</translation>
        </message>
        <message>
            <source>I have read the {0} new warnings and want to publish</source>
            <translation>I have read the {0} new warnings and want to publish</translation>
        </message>
        <message>
            <source>Idempotency key (a retry makes one release)</source>
            <translation>Idempotency key (a retry makes one release)</translation>
        </message>
        <message>
            <source>Import official boundaries</source>
            <translation>Import official boundaries</translation>
        </message>
        <message>
            <source>In the layer, not saved yet: the figures of {0} facilities ({1}).</source>
            <translation>In the layer, not saved yet: the figures of {0} facilities ({1}).</translation>
        </message>
        <message>
            <source>Information</source>
            <translation>Information</translation>
        </message>
        <message>
            <source>Isolation zone around a point</source>
            <translation>Isolation zone around a point</translation>
        </message>
        <message>
            <source>Isolation zone from administrative units</source>
            <translation>Isolation zone from administrative units</translation>
        </message>
        <message>
            <source>Issuing authority</source>
            <translation>Issuing authority</translation>
        </message>
        <message>
            <source>Last figures</source>
            <translation>Last figures</translation>
        </message>
        <message>
            <source>Level</source>
            <translation>Level</translation>
        </message>
        <message>
            <source>Level {0} announced for {1} unit(s); {2} previous level(s) end the day before. Save the layer's edits to keep them.</source>
            <translation>Level {0} announced for {1} unit(s); {2} previous level(s) end the day before. Save the layer's edits to keep them.</translation>
        </message>
        <message>
            <source>Levels ending soon…</source>
            <translation>Levels ending soon…</translation>
        </message>
        <message>
            <source>Lift</source>
            <translation>Lift</translation>
        </message>
        <message>
            <source>Lift isolation zone</source>
            <translation>Lift isolation zone</translation>
        </message>
        <message>
            <source>Lift isolation zone…</source>
            <translation>Lift isolation zone…</translation>
        </message>
        <message>
            <source>Lift or extend zones, close facilities, update figures</source>
            <translation>Lift or extend zones, close facilities, update figures</translation>
        </message>
        <message>
            <source>Lift the zone «{0}»: it leaves the public map.</source>
            <translation>Lift the zone «{0}»: it leaves the public map.</translation>
        </message>
        <message>
            <source>Lift these {0} zones: {1}. They leave the public map.</source>
            <translation>Lift these {0} zones: {1}. They leave the public map.</translation>
        </message>
        <message>
            <source>Lifted at</source>
            <translation>Lifted at</translation>
        </message>
        <message>
            <source>Lifting decision number</source>
            <translation>Lifting decision number</translation>
        </message>
        <message>
            <source>List what must be fixed before publishing</source>
            <translation>List what must be fixed before publishing</translation>
        </message>
        <message>
            <source>Load the history, then select a release.</source>
            <translation>Load the history, then select a release.</translation>
        </message>
        <message>
            <source>Make a circular zone of a radius in metres around a place</source>
            <translation>Make a circular zone of a radius in metres around a place</translation>
        </message>
        <message>
            <source>Make a zone from whole districts or communes</source>
            <translation>Make a zone from whole districts or communes</translation>
        </message>
        <message>
            <source>Measures in force</source>
            <translation>Measures in force</translation>
        </message>
        <message>
            <source>Name field</source>
            <translation>Name field</translation>
        </message>
        <message>
            <source>New CovidMaps workspace</source>
            <translation>New CovidMaps workspace</translation>
        </message>
        <message>
            <source>New access token</source>
            <translation>New access token</translation>
        </message>
        <message>
            <source>New end</source>
            <translation>New end</translation>
        </message>
        <message>
            <source>New workspace…</source>
            <translation>New workspace…</translation>
        </message>
        <message>
            <source>No</source>
            <translation>No</translation>
        </message>
        <message>
            <source>No CovidMaps workspace is open.</source>
            <translation>No CovidMaps workspace is open.</translation>
        </message>
        <message>
            <source>No errors or warnings.</source>
            <translation>No errors or warnings.</translation>
        </message>
        <message>
            <source>No errors: check the warnings, then publish.</source>
            <translation>No errors: check the warnings, then publish.</translation>
        </message>
        <message>
            <source>No problems found: the map can be published.</source>
            <translation>No problems found: the map can be published.</translation>
        </message>
        <message>
            <source>No risk point has passed its visible-until date.</source>
            <translation>No risk point has passed its visible-until date.</translation>
        </message>
        <message>
            <source>No unit's epidemic level ends in the next {0} days.</source>
            <translation>No unit's epidemic level ends in the next {0} days.</translation>
        </message>
        <message>
            <source>Notes</source>
            <translation>Notes</translation>
        </message>
        <message>
            <source>Nothing of «{0}» there: click on the feature itself.</source>
            <translation>Nothing of «{0}» there: click on the feature itself.</translation>
        </message>
        <message>
            <source>Now (ISO 8601, default: the current time)</source>
            <translation>Now (ISO 8601, default: the current time)</translation>
        </message>
        <message>
            <source>Official boundaries (polygons)</source>
            <translation>Official boundaries (polygons)</translation>
        </message>
        <message>
            <source>Once published, the map will say “Updated {0}”.</source>
            <translation>Once published, the map will say “Updated {0}”.</translation>
        </message>
        <message>
            <source>Open CovidMaps workspace</source>
            <translation>Open CovidMaps workspace</translation>
        </message>
        <message>
            <source>Open an existing CovidMaps workspace in the current project</source>
            <translation>Open an existing CovidMaps workspace in the current project</translation>
        </message>
        <message>
            <source>Open form</source>
            <translation>Open form</translation>
        </message>
        <message>
            <source>Open the attribute form of the selected feature</source>
            <translation>Open the attribute form of the selected feature</translation>
        </message>
        <message>
            <source>Open the workspace in the current project</source>
            <translation>Open the workspace in the current project</translation>
        </message>
        <message>
            <source>Open workspace…</source>
            <translation>Open workspace…</translation>
        </message>
        <message>
            <source>Other edits of the layer came after: undo with Ctrl+Z (or Edit → Undo) in order.</source>
            <translation>Other edits of the layer came after: undo with Ctrl+Z (or Edit → Undo) in order.</translation>
        </message>
        <message>
            <source>Paste the token from the ICT staff</source>
            <translation>Paste the token from the ICT staff</translation>
        </message>
        <message>
            <source>People in quarantine</source>
            <translation>People in quarantine</translation>
        </message>
        <message>
            <source>People now in «{0}» (capacity {1}).</source>
            <translation>People now in «{0}» (capacity {1}).</translation>
        </message>
        <message>
            <source>Place a checkpoint</source>
            <translation>Place a checkpoint</translation>
        </message>
        <message>
            <source>Place a high-risk point</source>
            <translation>Place a high-risk point</translation>
        </message>
        <message>
            <source>Place a quarantine facility</source>
            <translation>Place a quarantine facility</translation>
        </message>
        <message>
            <source>Press “Check again” to check the map.</source>
            <translation>Press “Check again” to check the map.</translation>
        </message>
        <message>
            <source>Preview</source>
            <translation>Preview</translation>
        </message>
        <message>
            <source>Preview a publish</source>
            <translation>Preview a publish</translation>
        </message>
        <message>
            <source>Previewed blobs (JSON layer -&gt; sha256; publish only if the export is the same)</source>
            <translation>Previewed blobs (JSON layer -&gt; sha256; publish only if the export is the same)</translation>
        </message>
        <message>
            <source>Previewed blobs must be a JSON object.</source>
            <translation>Previewed blobs must be a JSON object.</translation>
        </message>
        <message>
            <source>Previewed release (publish only on top of it)</source>
            <translation>Previewed release (publish only on top of it)</translation>
        </message>
        <message>
            <source>Problem</source>
            <translation>Problem</translation>
        </message>
        <message>
            <source>Processing algorithm {0} is not available.</source>
            <translation>Processing algorithm {0} is not available.</translation>
        </message>
        <message>
            <source>Province</source>
            <translation>Province</translation>
        </message>
        <message>
            <source>Province outline (default: the workspace's)</source>
            <translation>Province outline (default: the workspace's)</translation>
        </message>
        <message>
            <source>Province profile</source>
            <translation>Province profile</translation>
        </message>
        <message>
            <source>Province profile (when no workspace is given)</source>
            <translation>Province profile (when no workspace is given)</translation>
        </message>
        <message>
            <source>Public map URL</source>
            <translation>Public map URL</translation>
        </message>
        <message>
            <source>Publish</source>
            <translation>Publish</translation>
        </message>
        <message>
            <source>Publish despite validation warnings</source>
            <translation>Publish despite validation warnings</translation>
        </message>
        <message>
            <source>Publish the epidemic map</source>
            <translation>Publish the epidemic map</translation>
        </message>
        <message>
            <source>Publish the map</source>
            <translation>Publish the map</translation>
        </message>
        <message>
            <source>Published release {0}</source>
            <translation>Published release {0}</translation>
        </message>
        <message>
            <source>Published release {0}: {1}</source>
            <translation>Published release {0}: {1}</translation>
        </message>
        <message>
            <source>Published.</source>
            <translation>Published.</translation>
        </message>
        <message>
            <source>Publishing</source>
            <translation>Publishing</translation>
        </message>
        <message>
            <source>Publishing endpoint</source>
            <translation>Publishing endpoint</translation>
        </message>
        <message>
            <source>Publishing endpoint URL</source>
            <translation>Publishing endpoint URL</translation>
        </message>
        <message>
            <source>Publishing is blocked</source>
            <translation>Publishing is blocked</translation>
        </message>
        <message>
            <source>Publishing…</source>
            <translation>Publishing…</translation>
        </message>
        <message>
            <source>Publish…</source>
            <translation>Publish…</translation>
        </message>
        <message>
            <source>Radius</source>
            <translation>Radius</translation>
        </message>
        <message>
            <source>Reference code: {0} (the same in saved reports and in Processing).</source>
            <translation>Reference code: {0} (the same in saved reports and in Processing).</translation>
        </message>
        <message>
            <source>Refresh and check again</source>
            <translation>Refresh and check again</translation>
        </message>
        <message>
            <source>Refused by the endpoint: </source>
            <translation>Refused by the endpoint: </translation>
        </message>
        <message>
            <source>Release</source>
            <translation>Release</translation>
        </message>
        <message>
            <source>Release history</source>
            <translation>Release history</translation>
        </message>
        <message>
            <source>Release id</source>
            <translation>Release id</translation>
        </message>
        <message>
            <source>Release message</source>
            <translation>Release message</translation>
        </message>
        <message>
            <source>Release note</source>
            <translation>Release note</translation>
        </message>
        <message>
            <source>Release on the map now</source>
            <translation>Release on the map now</translation>
        </message>
        <message>
            <source>Release to bring back</source>
            <translation>Release to bring back</translation>
        </message>
        <message>
            <source>Reload history</source>
            <translation>Reload history</translation>
        </message>
        <message>
            <source>Replaces the district (or commune, or province) polygons of a workspace with the province's official boundaries: a shapefile or GeoPackage layer in any coordinate reference system, with one polygon per unit.

Code field: the GSO code (3 digits for districts, 5 for communes; numbers are padded). Every code of the profile must be present once; nothing is written when a code is unknown, missing or repeated, or a polygon is invalid.
Until this step has run, the public map says that its district boundaries are approximate.</source>
            <translation>Replaces the district (or commune, or province) polygons of a workspace with the province's official boundaries: a shapefile or GeoPackage layer in any coordinate reference system, with one polygon per unit.

Code field: the GSO code (3 digits for districts, 5 for communes; numbers are padded). Every code of the profile must be present once; nothing is written when a code is unknown, missing or repeated, or a polygon is invalid.
Until this step has run, the public map says that its district boundaries are approximate.</translation>
        </message>
        <message>
            <source>Report</source>
            <translation>Report</translation>
        </message>
        <message>
            <source>Roll back</source>
            <translation>Roll back</translation>
        </message>
        <message>
            <source>Roll back the public map</source>
            <translation>Roll back the public map</translation>
        </message>
        <message>
            <source>Roll back to selected</source>
            <translation>Roll back to selected</translation>
        </message>
        <message>
            <source>Rolled back to {0}: new release {1}.</source>
            <translation>Rolled back to {0}: new release {1}.</translation>
        </message>
        <message>
            <source>Rolled back to {0}: the public map shows the new release {1} holding the data of {0}.</source>
            <translation>Rolled back to {0}: the public map shows the new release {1} holding the data of {0}.</translation>
        </message>
        <message>
            <source>Rolling back to {0}…</source>
            <translation>Rolling back to {0}…</translation>
        </message>
        <message>
            <source>Save</source>
            <translation>Save</translation>
        </message>
        <message>
            <source>Save edits and check</source>
            <translation>Save edits and check</translation>
        </message>
        <message>
            <source>Save the layer's edits to keep it.</source>
            <translation>Save the layer's edits to keep it.</translation>
        </message>
        <message>
            <source>Save the workspace as</source>
            <translation>Save the workspace as</translation>
        </message>
        <message>
            <source>Save token</source>
            <translation>Save token</translation>
        </message>
        <message>
            <source>Save your edits before publishing: </source>
            <translation>Save your edits before publishing: </translation>
        </message>
        <message>
            <source>Saved in the workspace: the figures of {0} facilities ({1}).</source>
            <translation>Saved in the workspace: the figures of {0} facilities ({1}).</translation>
        </message>
        <message>
            <source>Saved your edits ({0}); checking…</source>
            <translation>Saved your edits ({0}); checking…</translation>
        </message>
        <message>
            <source>Scheme</source>
            <translation>Scheme</translation>
        </message>
        <message>
            <source>Set hotline and advice of the public map</source>
            <translation>Set hotline and advice of the public map</translation>
        </message>
        <message>
            <source>The access token comes from the {0} environment variable.</source>
            <translation>The access token comes from the {0} environment variable.</translation>
        </message>
        <message>
            <source>The access token is stored in QGIS's authentication database and chosen for next time.</source>
            <translation>The access token is stored in QGIS's authentication database and chosen for next time.</translation>
        </message>
        <message>
            <source>The active risk point «{0}» has passed its visible-until date. Mark it as expired?</source>
            <translation>The active risk point «{0}» has passed its visible-until date. Mark it as expired?</translation>
        </message>
        <message>
            <source>The check failed.</source>
            <translation>The check failed.</translation>
        </message>
        <message>
            <source>The current project has unsaved changes, so the new workspace was not opened. Save the project, then use “Open workspace…”.</source>
            <translation>The current project has unsaved changes, so the new workspace was not opened. Save the project, then use “Open workspace…”.</translation>
        </message>
        <message>
            <source>The endpoint refused the data: see the {0} problem(s) under Validation. The public map did not change. Fix them, then check again.</source>
            <translation>The endpoint refused the data: see the {0} problem(s) under Validation. The public map did not change. Fix them, then check again.</translation>
        </message>
        <message>
            <source>The extension decision number goes into the zone's «source document» as you type it; leave it empty if there is none yet.</source>
            <translation>The extension decision number goes into the zone's «source document» as you type it; leave it empty if there is none yet.</translation>
        </message>
        <message>
            <source>The level of these units ends within {0} days and no next level is announced yet.</source>
            <translation>The level of these units ends within {0} days and no next level is announced yet.</translation>
        </message>
        <message>
            <source>The public map has no data yet.</source>
            <translation>The public map has no data yet.</translation>
        </message>
        <message>
            <source>The public map shows release {0} (published {1}).</source>
            <translation>The public map shows release {0} (published {1}).</translation>
        </message>
        <message>
            <source>The public map shows the province's hotline and one line of advice under its header, on the first screen. They are stored in the workspace and sent with the next publish. Leave a text empty to keep it as it is.</source>
            <translation>The public map shows the province's hotline and one line of advice under its header, on the first screen. They are stored in the workspace and sent with the next publish. Leave a text empty to keep it as it is.</translation>
        </message>
        <message>
            <source>The releases of the public map, newest first (who, when, what changed), as a JSON file.</source>
            <translation>The releases of the public map, newest first (who, when, what changed), as a JSON file.</translation>
        </message>
        <message>
            <source>The selected release is already on the public map.</source>
            <translation>The selected release is already on the public map.</translation>
        </message>
        <message>
            <source>The top release is on the public map. To bring back an earlier one, select it and click “Roll back to selected” (no release is deleted).</source>
            <translation>The top release is on the public map. To bring back an earlier one, select it and click “Roll back to selected” (no release is deleted).</translation>
        </message>
        <message>
            <source>The zone is a circle around the chosen place; the radius is measured on the ground, in metres.</source>
            <translation>The zone is a circle around the chosen place; the radius is measured on the ground, in metres.</translation>
        </message>
        <message>
            <source>This place is outside the province's districts: check the location.</source>
            <translation>This place is outside the province's districts: check the location.</translation>
        </message>
        <message>
            <source>This workspace has no epidemic levels layer; reopen it to upgrade.</source>
            <translation>This workspace has no epidemic levels layer; reopen it to upgrade.</translation>
        </message>
        <message>
            <source>Tick all</source>
            <translation>Tick all</translation>
        </message>
        <message>
            <source>Tick the districts or communes the decision puts under isolation. The zone is their combined area.</source>
            <translation>Tick the districts or communes the decision puts under isolation. The zone is their combined area.</translation>
        </message>
        <message>
            <source>Tick the units selected on the map</source>
            <translation>Tick the units selected on the map</translation>
        </message>
        <message>
            <source>Tick the units the decision covers (or select them on the map), then the level, the decision and the day it applies from. The level in force ends the day before; the history is kept.</source>
            <translation>Tick the units the decision covers (or select them on the map), then the level, the decision and the day it applies from. The level in force ends the day before; the history is kept.</translation>
        </message>
        <message>
            <source>Today's capacity and occupancy of every facility in one table</source>
            <translation>Today's capacity and occupancy of every facility in one table</translation>
        </message>
        <message>
            <source>Today's figures</source>
            <translation>Today's figures</translation>
        </message>
        <message>
            <source>Type today's figures of each facility: Enter goes to the next facility. Each facility's figures go into the layer as soon as you leave its cell (one undo step each); Publish and Check the map take the number you are still typing. Facilities whose figures change get the time below as their “figures as of”.</source>
            <translation>Type today's figures of each facility: Enter goes to the next facility. Each facility's figures go into the layer as soon as you leave its cell (one undo step each); Publish and Check the map take the number you are still typing. Facilities whose figures change get the time below as their “figures as of”.</translation>
        </message>
        <message>
            <source>Undo</source>
            <translation>Undo</translation>
        </message>
        <message>
            <source>Undone: «{0}» is as it was.</source>
            <translation>Undone: «{0}» is as it was.</translation>
        </message>
        <message>
            <source>Units</source>
            <translation>Units</translation>
        </message>
        <message>
            <source>Units whose epidemic level ends within the next days</source>
            <translation>Units whose epidemic level ends within the next days</translation>
        </message>
        <message>
            <source>Unsaved edits: </source>
            <translation>Unsaved edits: </translation>
        </message>
        <message>
            <source>Until</source>
            <translation>Until</translation>
        </message>
        <message>
            <source>Update of {0}</source>
            <translation>Update of {0}</translation>
        </message>
        <message>
            <source>Update quarantine figures…</source>
            <translation>Update quarantine figures…</translation>
        </message>
        <message>
            <source>Validate workspace</source>
            <translation>Validate workspace</translation>
        </message>
        <message>
            <source>Validate, preview the changes and publish the public map</source>
            <translation>Validate, preview the changes and publish the public map</translation>
        </message>
        <message>
            <source>Validates and exports the workspace and compares it with the public map, without sending anything: the findings, the release on the map now and what a publish would change, as a JSON file.</source>
            <translation>Validates and exports the workspace and compares it with the public map, without sending anything: the findings, the release on the map now and what a publish would change, as a JSON file.</translation>
        </message>
        <message>
            <source>Validates the workspace, exports the approved and currently visible features (public fields only) and publishes them as a new release of the public map. Layers the endpoint already has are not uploaded again.

Token: an authentication configuration (Basic: password = token), or the COVIDMAPS_TOKEN environment variable when none is given.
If someone else published meanwhile, nothing is overwritten: run it again.</source>
            <translation>Validates the workspace, exports the approved and currently visible features (public fields only) and publishes them as a new release of the public map. Layers the endpoint already has are not uploaded again.

Token: an authentication configuration (Basic: password = token), or the COVIDMAPS_TOKEN environment variable when none is given.
If someone else published meanwhile, nothing is overwritten: run it again.</translation>
        </message>
        <message>
            <source>Validation</source>
            <translation>Validation</translation>
        </message>
        <message>
            <source>Warnings</source>
            <translation>Warnings</translation>
        </message>
        <message>
            <source>Will NOT be published, not approved ({0} × {1}): {2}</source>
            <translation>Will NOT be published, not approved ({0} × {1}): {2}</translation>
        </message>
        <message>
            <source>Workspace</source>
            <translation>Workspace</translation>
        </message>
        <message>
            <source>Workspace created: {0}</source>
            <translation>Workspace created: {0}</translation>
        </message>
        <message>
            <source>Workspace file</source>
            <translation>Workspace file</translation>
        </message>
        <message>
            <source>Workspace opened: {0}</source>
            <translation>Workspace opened: {0}</translation>
        </message>
        <message>
            <source>Yes</source>
            <translation>Yes</translation>
        </message>
        <message>
            <source>Zone around a point…</source>
            <translation>Zone around a point…</translation>
        </message>
        <message>
            <source>Zone from districts or communes…</source>
            <translation>Zone from districts or communes…</translation>
        </message>
        <message>
            <source>Zone «{0}» extended to {1} ({2} more days).</source>
            <translation>Zone «{0}» extended to {1} ({2} more days).</translation>
        </message>
        <message>
            <source>Zone «{0}» extended to {1}.</source>
            <translation>Zone «{0}» extended to {1}.</translation>
        </message>
        <message>
            <source>Zone «{0}» lifted.</source>
            <translation>Zone «{0}» lifted.</translation>
        </message>
        <message>
            <source>and {0} more</source>
            <translation>and {0} more</translation>
        </message>
        <message>
            <source>created empty</source>
            <translation>created empty</translation>
        </message>
        <message>
            <source>e.g. 123/QĐ-UBND</source>
            <translation>e.g. 123/QĐ-UBND</translation>
        </message>
        <message>
            <source>e.g. 1877/QĐ-BCĐ</source>
            <translation>e.g. 1877/QĐ-BCĐ</translation>
        </message>
        <message>
            <source>e.g. 25/11 update: 3 new risk points</source>
            <translation>e.g. 25/11 update: 3 new risk points</translation>
        </message>
        <message>
            <source>level {0} since {1}</source>
            <translation>level {0} since {1}</translation>
        </message>
        <message>
            <source>published</source>
            <translation>published</translation>
        </message>
        <message>
            <source>rollback</source>
            <translation>rollback</translation>
        </message>
        <message>
            <source>{0} active risk points have passed their visible-until date. Mark them as expired?</source>
            <translation>{0} active risk points have passed their visible-until date. Mark them as expired?</translation>
        </message>
        <message>
            <source>{0} boundaries imported into {1}.</source>
            <translation>{0} boundaries imported into {1}.</translation>
        </message>
        <message>
            <source>{0} checkpoints disbanded: {1}.</source>
            <translation>{0} checkpoints disbanded: {1}.</translation>
        </message>
        <message>
            <source>{0} errors block publishing; see the findings and the report.</source>
            <translation>{0} errors block publishing; see the findings and the report.</translation>
        </message>
        <message>
            <source>{0} errors must be fixed first.</source>
            <translation>{0} errors must be fixed first.</translation>
        </message>
        <message>
            <source>{0} facilities closed: {1}.</source>
            <translation>{0} facilities closed: {1}.</translation>
        </message>
        <message>
            <source>{0} is not a CovidMaps workspace (no province profile): {1}</source>
            <translation>{0} is not a CovidMaps workspace (no province profile): {1}</translation>
        </message>
        <message>
            <source>{0} is not a CovidMaps workspace.</source>
            <translation>{0} is not a CovidMaps workspace.</translation>
        </message>
        <message>
            <source>{0} releases; the top one is on the public map.</source>
            <translation>{0} releases; the top one is on the public map.</translation>
        </message>
        <message>
            <source>{0} risk points marked as expired.</source>
            <translation>{0} risk points marked as expired.</translation>
        </message>
        <message>
            <source>{0} zones extended to {2}: {1}.</source>
            <translation>{0} zones extended to {2}: {1}.</translation>
        </message>
        <message>
            <source>{0} zones lifted: {1}.</source>
            <translation>{0} zones lifted: {1}.</translation>
        </message>
        <message>
            <source>{0}: level {1} ends on {2} ({3})</source>
            <translation>{0}: level {1} ends on {2} ({3})</translation>
        </message>
        <message>
            <source>“{0}” is too long: at most {1} characters.</source>
            <translation>“{0}” is too long: at most {1} characters.</translation>
        </message>
        <message>
            <source>… and {0} more errors: see the findings and the report.</source>
            <translation>… and {0} more errors: see the findings and the report.</translation>
        </message>
    </context>
</TS>
